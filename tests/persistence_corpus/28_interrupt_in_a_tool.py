"""interrupt() inside a tool called by a node: the tool asks for approval before it books the hotel."""

from _norm import Labeller
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.types import Command, interrupt

show = Labeller()


@tool
def book_hotel(hotel_name: str) -> str:
    """Book a hotel."""
    response = interrupt(f"Trying to call `book_hotel` with args {{'hotel_name': {hotel_name}}}. Please approve or suggest edits.")
    if response["type"] == "accept":
        pass
    elif response["type"] == "edit":
        hotel_name = response["args"]["hotel_name"]
    else:
        raise ValueError(f"Unknown response type: {response['type']}")
    return f"Successfully booked a stay at {hotel_name}."


def agent(state: MessagesState) -> dict:
    call = {"name": "book_hotel", "args": {"hotel_name": "McKittrick Hotel"}, "id": "call_1", "type": "tool_call"}
    return {"messages": [AIMessage(content="", tool_calls=[call], id="ai-1")]}


def tools(state: MessagesState) -> dict:
    results = [book_hotel.invoke(call) for call in state["messages"][-1].tool_calls]
    return {"messages": results}


builder = StateGraph(MessagesState)
builder.add_node("agent", agent)
builder.add_node("tools", tools)
builder.add_edge(START, "agent")
builder.add_edge("agent", "tools")
graph = builder.compile(checkpointer=InMemorySaver())

for thread_id, answer in (("accept", {"type": "accept"}), ("edit", {"type": "edit", "args": {"hotel_name": "The Standard"}})):
    config = {"configurable": {"thread_id": thread_id}}
    for chunk in graph.stream({"messages": [{"role": "user", "content": "book a stay at McKittrick hotel", "id": "u1"}]}, config):
        show(chunk)
    for chunk in graph.stream(Command(resume=answer), config):
        last = chunk.get("tools", {}).get("messages", [None])[-1]
        show(type(last).__name__, last.content if isinstance(last, ToolMessage) else last)
