"""Edit state at a breakpoint: stop before the tool, replace the AI message's tool call (same id), go on."""

from typing import Literal

from _norm import Labeller
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph

show = Labeller()


def agent(state: MessagesState) -> dict:
    last = state["messages"][-1]
    if isinstance(last, ToolMessage):
        return {"messages": [AIMessage(content=f"Done: {last.content}", id="ai-final")]}
    call = {"name": "search", "args": {"query": "weather in sf"}, "id": "call_1", "type": "tool_call"}
    return {"messages": [AIMessage(content="", tool_calls=[call], id="ai-call")]}


def action(state: MessagesState) -> dict:
    call = state["messages"][-1].tool_calls[0]
    return {"messages": [ToolMessage(content=f"results for {call['args']['query']}", tool_call_id=call["id"], id="tool-1")]}


def should_continue(state: MessagesState) -> Literal["action", "__end__"]:
    return "action" if state["messages"][-1].tool_calls else END


builder = StateGraph(MessagesState)
builder.add_node("agent", agent)
builder.add_node("action", action)
builder.add_edge(START, "agent")
builder.add_conditional_edges("agent", should_continue)
builder.add_edge("action", "agent")
graph = builder.compile(checkpointer=InMemorySaver(), interrupt_before=["action"])

config = {"configurable": {"thread_id": "edit"}}
for event in graph.stream({"messages": [("user", "search for the weather in sf now")]}, config, stream_mode="values"):
    show(event["messages"][-1].pretty_repr())

current = graph.get_state(config)
last = current.values["messages"][-1]
edited = AIMessage(content="", id=last.id, tool_calls=[{**last.tool_calls[0], "args": {"query": "current weather in SF"}}])
show(graph.update_state(config, {"messages": [edited]}))
after = graph.get_state(config)
show(after.next, after.metadata, len(after.values["messages"]), after.values["messages"][-1].tool_calls)

for event in graph.stream(None, config, stream_mode="values"):
    show(event["messages"][-1].pretty_repr())
