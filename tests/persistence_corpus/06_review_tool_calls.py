"""Review tool calls: before a tool runs, a human accepts it, edits its arguments, or sends feedback."""

from typing import Literal

from _norm import Labeller
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.types import Command, interrupt

show = Labeller()


def call_llm(state: MessagesState) -> dict:
    last = state["messages"][-1]
    if isinstance(last, ToolMessage):
        return {"messages": [AIMessage(content=f"The weather: {last.content}", id="final")]}
    call = {"name": "weather_search", "args": {"city": "san francisco"}, "id": "call_1", "type": "tool_call"}
    return {"messages": [AIMessage(content="", tool_calls=[call], id="ai-call")]}


def route_after_llm(state: MessagesState) -> Literal["human_review_node", "__end__"]:
    return "human_review_node" if state["messages"][-1].tool_calls else END


def human_review_node(state: MessagesState) -> Command[Literal["call_llm", "run_tool"]]:
    tool_call = state["messages"][-1].tool_calls[-1]
    review = interrupt({"question": "Is this correct?", "tool_call": tool_call})
    if review["action"] == "continue":
        return Command(goto="run_tool")
    if review["action"] == "update":
        updated = AIMessage(content="", tool_calls=[{**tool_call, "args": review["data"]}], id="ai-call")
        return Command(goto="run_tool", update={"messages": [updated]})
    feedback = ToolMessage(content=review["data"], name=tool_call["name"], tool_call_id=tool_call["id"])
    return Command(goto="call_llm", update={"messages": [feedback]})


def run_tool(state: MessagesState) -> dict:
    tool_call = state["messages"][-1].tool_calls[-1]
    result = f"Sunny in {tool_call['args']['city']}!"
    return {"messages": [ToolMessage(content=result, tool_call_id=tool_call["id"], name=tool_call["name"])]}


builder = StateGraph(MessagesState)
builder.add_node(call_llm)
builder.add_node(run_tool)
builder.add_node(human_review_node)
builder.add_edge(START, "call_llm")
builder.add_conditional_edges("call_llm", route_after_llm)
builder.add_edge("run_tool", "call_llm")
graph = builder.compile(checkpointer=InMemorySaver())

answers = {
    "accept": {"action": "continue"},
    "edit": {"action": "update", "data": {"city": "San Francisco, USA"}},
    "feedback": {"action": "feedback", "data": "User requested changes: use <city, country> format"},
}
for thread_id, review in answers.items():
    config = {"configurable": {"thread_id": thread_id}}
    for chunk in graph.stream({"messages": [{"role": "user", "content": "what's the weather in sf?", "id": "u1"}]}, config, stream_mode="updates"):
        show(chunk)
    show(graph.get_state(config).next)
    for chunk in graph.stream(Command(resume=review), config, stream_mode="updates"):
        show(chunk)
    show([(m.type, m.content) for m in graph.get_state(config).values["messages"]])
