import operator
from typing import Annotated, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.types import Overwrite


class State(TypedDict):
    items: Annotated[list[str], operator.add]
    tag: str


def collect(state: State) -> dict[str, list[str]]:
    return {"items": ["one", "two"]}


def inspect_only(state: State) -> None:
    print("inspecting", state["items"])


def reset_items(state: State, config: RunnableConfig) -> dict[str, object]:
    return {"items": Overwrite(["reset"]), "tag": config["configurable"].get("tag", "none")}


builder = StateGraph(State)
builder.add_node(collect)
builder.add_node(inspect_only)
builder.add_node(reset_items)
builder.add_edge(START, "collect")
builder.add_edge("collect", "inspect_only")
builder.add_edge("inspect_only", "reset_items")
builder.add_edge("reset_items", END)
graph = builder.compile(name="collector")
print(graph.name)
print(graph.invoke({"items": ["zero"]}))
for chunk in graph.stream({"items": []}, stream_mode="updates"):
    print(chunk)
print(graph.invoke({"items": []}, {"run_name": "my-run", "configurable": {"tag": "R"}, "tags": ["x"]}))
print(graph.with_config({"recursion_limit": 10}).invoke({"items": ["w"]}))
