"""Approve or reject: the answer to interrupt() picks the next node with Command(goto=...)."""

from typing import Literal, TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

show = Labeller()


class State(TypedDict):
    llm_output: str
    decision: str


def generate_llm_output(state: State) -> dict:
    return {"llm_output": "This is the generated output."}


def human_approval(state: State) -> Command[Literal["approved_path", "rejected_path"]]:
    decision = interrupt({"question": "Do you approve the following output?", "llm_output": state["llm_output"]})
    if decision == "approve":
        return Command(goto="approved_path", update={"decision": "approved"})
    return Command(goto="rejected_path", update={"decision": "rejected"})


def approved_node(state: State) -> dict:
    print("approved path taken")
    return {}


def rejected_node(state: State) -> dict:
    print("rejected path taken")
    return {}


builder = StateGraph(State)
builder.add_node("generate_llm_output", generate_llm_output)
builder.add_node("human_approval", human_approval)
builder.add_node("approved_path", approved_node)
builder.add_node("rejected_path", rejected_node)
builder.add_edge(START, "generate_llm_output")
builder.add_edge("generate_llm_output", "human_approval")
builder.add_edge("approved_path", END)
builder.add_edge("rejected_path", END)
graph = builder.compile(checkpointer=InMemorySaver())

for thread_id, answer in (("approve-thread", "approve"), ("reject-thread", "reject")):
    config = {"configurable": {"thread_id": thread_id}}
    result = graph.invoke({"llm_output": "", "decision": ""}, config=config)
    show(result["__interrupt__"])
    show(graph.invoke(Command(resume=answer), config=config))
    show(graph.get_state(config).metadata)
