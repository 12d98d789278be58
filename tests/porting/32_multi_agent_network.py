"""A multi-agent network: agents with fake models hand off with Command (multi-agent how-to shape)."""

from typing import Literal

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.types import Command

researcher_model = FakeListChatModel(
    responses=["GDP grew 2% per year. HANDOFF to chart.", "FINAL ANSWER: done."]
)
chart_model = FakeListChatModel(responses=["Chart drawn. HANDOFF to researcher."])


def next_step(reply: str, other: str) -> str:
    if "FINAL ANSWER" in reply:
        return "__end__"
    return other if "HANDOFF" in reply else "__end__"


def researcher(state: MessagesState) -> Command[Literal["chart_generator", "__end__"]]:
    reply = str(researcher_model.invoke(state["messages"]).content)
    goto = next_step(reply, "chart_generator")
    return Command(update={"messages": [AIMessage(content=reply, name="researcher")]}, goto=goto)


def chart_generator(state: MessagesState) -> Command[Literal["researcher", "__end__"]]:
    reply = str(chart_model.invoke(state["messages"]).content)
    goto = next_step(reply, "researcher")
    # the next agent sees this as a human turn, as in the how-to
    return Command(update={"messages": [HumanMessage(content=reply, name="chart_generator")]}, goto=goto)


workflow = StateGraph(MessagesState)
workflow.add_node("researcher", researcher)
workflow.add_node("chart_generator", chart_generator)
workflow.add_edge(START, "researcher")
graph = workflow.compile()

events = graph.stream({"messages": [("user", "Get the UK's GDP, then chart it.")]}, {"recursion_limit": 10})
for step in events:
    for node, update in step.items():
        print(node, "->", [(m.name, m.content) for m in update["messages"]])
