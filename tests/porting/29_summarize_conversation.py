"""A conversation that summarises itself once it grows (Academy module 2, without memory)."""

from typing import Literal

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage, SystemMessage
from langgraph.graph import END, START, MessagesState, StateGraph

model = FakeListChatModel(
    responses=[
        "Nice to meet you, Lance!",
        "The 49ers are a great team.",
        "Nick Bosa is one of the best defensive players.",
        "Lance introduced himself and likes the 49ers, especially Nick Bosa.",
    ]
)


class State(MessagesState):
    summary: str


def call_model(state: State) -> dict[str, list[AIMessage]]:
    summary = state.get("summary", "")
    if summary:
        messages = [SystemMessage(content=f"Summary of conversation earlier: {summary}"), *state["messages"]]
    else:
        messages = state["messages"]
    return {"messages": [model.invoke(messages)]}


def summarize_conversation(state: State) -> dict[str, object]:
    summary = state.get("summary", "")
    prompt = f"Extend this summary: {summary}" if summary else "Create a summary of the conversation above:"
    response = model.invoke([*state["messages"], HumanMessage(content=prompt)])
    delete_messages = [RemoveMessage(id=m.id) for m in state["messages"][:-2] if m.id]
    return {"summary": response.content, "messages": delete_messages}


def should_continue(state: State) -> Literal["summarize_conversation", "__end__"]:
    if len(state["messages"]) > 6:
        return "summarize_conversation"
    return END


workflow = StateGraph(State)
workflow.add_node("conversation", call_model)
workflow.add_node(summarize_conversation)
workflow.add_edge(START, "conversation")
workflow.add_conditional_edges("conversation", should_continue)
workflow.add_edge("summarize_conversation", END)
graph = workflow.compile()

state: dict[str, object] = {"messages": []}
for text in ["hi! I'm Lance", "I like the 49ers!", "I like Nick Bosa, isn't he the best?"]:
    messages = [*state["messages"], HumanMessage(content=text)]  # type: ignore[misc]
    if len(messages) > 1:
        messages.insert(-1, HumanMessage(content="(filler so the history grows)"))
    state = graph.invoke({**state, "messages": messages})
    for m in state["messages"][-1:]:  # type: ignore[index]
        m.pretty_print()
    print("messages kept:", len(state["messages"]), "summary:", state.get("summary", ""))  # type: ignore[arg-type]
