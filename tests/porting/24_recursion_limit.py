"""Loops that stop in time: RemainingSteps, IsLastStep, and GraphRecursionError (recursion how-to)."""

import operator
from typing import Annotated, Literal, TypedDict

from langgraph.errors import GraphRecursionError
from langgraph.graph import END, START, StateGraph
from langgraph.managed import IsLastStep, RemainingSteps


class State(TypedDict):
    messages: Annotated[list[str], operator.add]
    remaining_steps: RemainingSteps


def reasoning_node(state: State) -> dict[str, list[str]]:
    return {"messages": [f"thinking ({state['remaining_steps']} steps left)"]}


def route(state: State) -> Literal["reasoning_node", "fallback_node"]:
    if state["remaining_steps"] <= 2:
        return "fallback_node"
    return "reasoning_node"


def fallback_node(state: State) -> dict[str, list[str]]:
    return {"messages": ["reached the limit, returning a fallback answer"]}


builder = StateGraph(State)
builder.add_node("reasoning_node", reasoning_node)
builder.add_node("fallback_node", fallback_node)
builder.add_edge(START, "reasoning_node")
builder.add_conditional_edges("reasoning_node", route)
builder.add_edge("fallback_node", END)
graph = builder.compile()
result = graph.invoke({"messages": []}, {"recursion_limit": 8})
for m in result["messages"]:
    print(m)


class LoopState(TypedDict):
    aggregate: Annotated[list[str], operator.add]


def a(state: LoopState) -> dict[str, list[str]]:
    return {"aggregate": ["A"]}


def b(state: LoopState) -> dict[str, list[str]]:
    return {"aggregate": ["B"]}


def loop_route(state: LoopState) -> Literal["b", "__end__"]:
    return "b" if len(state["aggregate"]) < 7 else END


loop = StateGraph(LoopState)
loop.add_node(a)
loop.add_node(b)
loop.add_edge(START, "a")
loop.add_conditional_edges("a", loop_route)
loop.add_edge("b", "a")
loop_graph = loop.compile()
print(loop_graph.invoke({"aggregate": []}))
try:
    loop_graph.invoke({"aggregate": []}, {"recursion_limit": 4})
except GraphRecursionError:
    print("Recursion Error")
for limit in (6, 7, 8):
    try:
        print(limit, loop_graph.invoke({"aggregate": []}, {"recursion_limit": limit}))
    except GraphRecursionError:
        print(limit, "Recursion Error")


class LastState(TypedDict):
    steps: Annotated[list[str], operator.add]
    is_last_step: IsLastStep


def worker(state: LastState) -> dict[str, list[str]]:
    return {"steps": ["last" if state["is_last_step"] else "more"]}


def keep_going(state: LastState) -> Literal["worker", "__end__"]:
    return END if state["is_last_step"] else "worker"


last = StateGraph(LastState)
last.add_node(worker)
last.add_edge(START, "worker")
last.add_conditional_edges("worker", keep_going)
print(last.compile().invoke({"steps": []}, {"recursion_limit": 5}))
