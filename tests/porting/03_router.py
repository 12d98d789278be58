"""A router: the model either calls a tool or answers; a hand-written tool node runs the call."""

from typing import Literal

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.graph import END, START, MessagesState, StateGraph


def multiply(a: int, b: int) -> int:
    """Multiply a and b."""
    return a * b


TOOLS = {"multiply": multiply}

llm = GenericFakeChatModel(
    messages=iter(
        [
            AIMessage(
                content="", tool_calls=[{"name": "multiply", "args": {"a": 2, "b": 3}, "id": "call_1"}]
            ),
            AIMessage(content="Hello! How can I help?"),
        ]
    )
)


def tool_calling_llm(state: MessagesState) -> dict[str, list[AIMessage]]:
    return {"messages": [llm.invoke(state["messages"])]}


def tools(state: MessagesState) -> dict[str, list[ToolMessage]]:
    last = state["messages"][-1]
    assert isinstance(last, AIMessage)
    results = []
    for call in last.tool_calls:
        output = TOOLS[call["name"]](**call["args"])
        results.append(ToolMessage(content=str(output), name=call["name"], tool_call_id=call["id"]))
    return {"messages": results}


def route(state: MessagesState) -> Literal["tools", "__end__"]:
    last = state["messages"][-1]
    if isinstance(last, AIMessage) and last.tool_calls:
        return "tools"
    return END


builder = StateGraph(MessagesState)
builder.add_node("tool_calling_llm", tool_calling_llm)
builder.add_node("tools", tools)
builder.add_edge(START, "tool_calling_llm")
builder.add_conditional_edges("tool_calling_llm", route)
builder.add_edge("tools", END)
graph = builder.compile()

for question in ["Multiply 2 and 3", "Hello world."]:
    result = graph.invoke({"messages": [HumanMessage(content=question)]})
    for m in result["messages"]:
        m.pretty_print()
