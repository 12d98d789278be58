"""Tools that stream custom data: get_stream_writer() inside a tool, custom and updates modes together."""

import warnings

from langchain_core.tools import tool
from langgraph.config import get_stream_writer
from langgraph.prebuilt import create_react_agent

from nbstream.testing import scripted_chat_model

warnings.filterwarnings("ignore", message="create_react_agent has been moved")


@tool
def get_user_info(user_id: str) -> str:
    """Look up user info."""
    writer = get_stream_writer()
    writer(f"Looking up data for user: {user_id}")
    writer({"progress": 50})
    return "User is John Smith"


model = scripted_chat_model([{"name": "get_user_info", "args": {"user_id": "user_123"}}], "The user is John Smith.")
agent = create_react_agent(model=model, tools=[get_user_info])
for mode, chunk in agent.stream(
    {"messages": [{"role": "user", "content": "look up user user_123"}]}, stream_mode=["updates", "custom"]
):
    print(mode, chunk)
