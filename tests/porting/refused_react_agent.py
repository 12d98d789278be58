"""A prebuilt ReAct agent: create_react_agent with one tool and a model that calls it once."""

from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent


class ToolFakeModel(GenericFakeChatModel):
    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"It's always sunny in {city}!"


model = ToolFakeModel(
    messages=iter(
        [
            AIMessage(
                content="", tool_calls=[{"name": "get_weather", "args": {"city": "sf"}, "id": "call_1"}]
            ),
            AIMessage(content="It's sunny in San Francisco."),
        ]
    )
)
agent = create_react_agent(model, tools=[get_weather])
result = agent.invoke({"messages": [{"role": "user", "content": "what is the weather in sf"}]})
for m in result["messages"]:
    print(m.type, m.content)
