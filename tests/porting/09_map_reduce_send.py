"""Map-reduce with Send: one joke per subject in parallel, then pick the best (how-to + Academy module 4)."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send


class OverallState(TypedDict):
    topic: str
    subjects: list[str]
    jokes: Annotated[list[str], operator.add]
    best_selected_joke: str


class JokeState(TypedDict):
    subject: str


def generate_topics(state: OverallState) -> dict[str, list[str]]:
    return {"subjects": [f"{state['topic']} {kind}" for kind in ("lions", "elephants", "penguins")]}


def generate_joke(state: JokeState) -> dict[str, list[str]]:
    return {
        "jokes": [
            f"Why did the {state['subject']} cross the road? To get to the other {len(state['subject'])}!"
        ]
    }


def continue_to_jokes(state: OverallState) -> list[Send]:
    return [Send("generate_joke", {"subject": s}) for s in state["subjects"]]


def best_joke(state: OverallState) -> dict[str, str]:
    return {"best_selected_joke": max(state["jokes"], key=len)}


builder = StateGraph(OverallState)
builder.add_node("generate_topics", generate_topics)
builder.add_node("generate_joke", generate_joke)
builder.add_node("best_joke", best_joke)
builder.add_edge(START, "generate_topics")
builder.add_conditional_edges("generate_topics", continue_to_jokes, ["generate_joke"])
builder.add_edge("generate_joke", "best_joke")
builder.add_edge("best_joke", END)
app = builder.compile()

for step in app.stream({"topic": "animals"}):
    print(step)
final = app.invoke({"topic": "animals"})
print(final["jokes"])
print(final["best_selected_joke"])


# Send straight from START, with a different payload per task
class NumbersState(TypedDict):
    squares: Annotated[list[int], operator.add]


def square(arg: dict[str, int]) -> dict[str, list[int]]:
    return {"squares": [arg["n"] * arg["n"]]}


g = StateGraph(NumbersState)
g.add_node("square", square)
g.add_conditional_edges(START, lambda s: [Send("square", {"n": n}) for n in range(5)], ["square"])
g.add_edge("square", END)
print(g.compile().invoke({"squares": []}))
