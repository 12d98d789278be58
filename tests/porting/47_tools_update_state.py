"""Tools that update the graph state: a Command from a tool, InjectedToolCallId, InjectedState."""

import warnings
from typing import Annotated

from langchain_core.messages import ToolMessage
from langchain_core.tools import InjectedToolCallId, tool
from langgraph.prebuilt import InjectedState, create_react_agent
from langgraph.prebuilt.chat_agent_executor import AgentState
from langgraph.types import Command

from nbstream.testing import scripted_chat_model

warnings.filterwarnings("ignore", message="create_react_agent has been moved")


class State(AgentState):
    user_name: str


@tool
def update_user_info(name: str, tool_call_id: Annotated[str, InjectedToolCallId]) -> Command:
    """Look up and update user info."""
    return Command(
        update={
            "user_name": name,
            "messages": [ToolMessage("Successfully looked up user information", tool_call_id=tool_call_id)],
        }
    )


@tool
def greet(state: Annotated[State, InjectedState]) -> str:
    """Use this to greet the user once you found their info."""
    return f"Hello {state['user_name']}!"


model = scripted_chat_model(
    [{"name": "update_user_info", "args": {"name": "Ada"}}],
    [{"name": "greet", "args": {}}],
    "Hello Ada!",
)
agent = create_react_agent(model, tools=[update_user_info, greet], state_schema=State)
for chunk in agent.stream({"messages": [{"role": "user", "content": "greet the user"}]}, stream_mode="updates"):
    print(chunk)
print(model.bound_tools[0][1]["function"]["parameters"])
