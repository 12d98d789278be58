"""The prebuilt ReAct agent: create_react_agent with a prompt, two tools, updates and a structured answer."""

import warnings

from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent
from pydantic import BaseModel

from nbstream.testing import scripted_chat_model

warnings.filterwarnings("ignore", message="create_react_agent has been moved")


@tool
def get_weather(city: str) -> str:
    """Get the weather for a given city."""
    return f"It's always sunny in {city}!"


@tool
def get_time(city: str) -> str:
    """Get the local time in a city."""
    return f"It is 10:00 in {city}."


class WeatherResponse(BaseModel):
    conditions: str


model = scripted_chat_model(
    [{"name": "get_weather", "args": {"city": "sf"}}, {"name": "get_time", "args": {"city": "sf"}}],
    "It's sunny in sf and it is 10:00.",
)
agent = create_react_agent(model=model, tools=[get_weather, get_time], prompt="You are a helpful assistant")
for chunk in agent.stream({"messages": [{"role": "user", "content": "what is the weather in sf"}]}, stream_mode="updates"):
    for node, update in chunk.items():
        for message in update["messages"]:
            print(node, type(message).__name__, message.content, getattr(message, "tool_calls", ""))
print([type(m).__name__ for m in model.received[0]])

structured_model = scripted_chat_model(
    [{"name": "get_weather", "args": {"city": "sf"}}],
    "It's sunny.",
    WeatherResponse(conditions="sunny"),
)
agent = create_react_agent(model=structured_model, tools=[get_weather], response_format=WeatherResponse)
response = agent.invoke({"messages": [{"role": "user", "content": "what is the weather in sf"}]})
print(response["structured_response"])
print(list(response))
