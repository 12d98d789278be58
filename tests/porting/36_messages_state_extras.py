"""MessagesState with extra keys, REMOVE_ALL_MESSAGES, message tuples and dicts, and updates to a message."""

from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.graph.message import REMOVE_ALL_MESSAGES


class State(MessagesState):
    turns: int


def respond(state: State) -> dict[str, object]:
    last = state["messages"][-1]
    return {
        "messages": [AIMessage(content=f"echo: {last.content}", id=f"ai-{state['turns']}")],
        "turns": state["turns"] + 1,
    }


def edit_last(state: State) -> dict[str, object]:
    last = state["messages"][-1]
    return {"messages": [AIMessage(content=str(last.content).upper(), id=last.id)]}


def reset(state: State) -> dict[str, object]:
    if state["turns"] < 2:
        return {}
    return {
        "messages": [RemoveMessage(id=REMOVE_ALL_MESSAGES), HumanMessage(content="fresh start", id="h-new")]
    }


builder = StateGraph(State)
builder.add_node(respond)
builder.add_node(edit_last)
builder.add_node(reset)
builder.add_edge(START, "respond")
builder.add_edge("respond", "edit_last")
builder.add_edge("edit_last", "reset")
builder.add_edge("reset", END)
graph = builder.compile()

out = graph.invoke({"messages": [("user", "hello")], "turns": 0})
print(
    [
        (m.type, m.content, m.id if m.id and m.id.startswith(("ai", "h-")) else "<gen>")
        for m in out["messages"]
    ]
)
out = graph.invoke({"messages": [{"role": "user", "content": "again"}], "turns": 2})
print([(m.type, m.content, m.id) for m in out["messages"]])
for chunk in graph.stream(
    {"messages": [HumanMessage(content="stream me", id="h1")], "turns": 5}, stream_mode="updates"
):
    print(chunk)
