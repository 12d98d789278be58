"""The same graph over a TypedDict, a dataclass and a pydantic model (Academy module 2, "state schema")."""

from dataclasses import dataclass
from typing import Literal, TypedDict

from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel, ValidationError, field_validator


class TypedDictState(TypedDict):
    name: str
    mood: Literal["happy", "sad"]


@dataclass
class DataclassState:
    name: str
    mood: Literal["happy", "sad"]


class PydanticState(BaseModel):
    name: str
    mood: str

    @field_validator("mood")
    @classmethod
    def validate_mood(cls, value: str) -> str:
        if value not in ["happy", "sad"]:
            raise ValueError("Each mood must be either 'happy' or 'sad'")
        return value


def build(schema, read):  # type: ignore[no-untyped-def]
    def node_1(state):  # type: ignore[no-untyped-def]
        print("---Node 1---", type(state).__name__)
        return {"name": read(state, "name") + " is ... "}

    def node_2(state):  # type: ignore[no-untyped-def]
        return {"mood": "happy"}

    def node_3(state):  # type: ignore[no-untyped-def]
        return {"mood": "sad"}

    def decide_mood(state) -> Literal["node_2", "node_3"]:  # type: ignore[no-untyped-def]
        return "node_2" if len(read(state, "name")) > 12 else "node_3"

    builder = StateGraph(schema)
    builder.add_node("node_1", node_1)
    builder.add_node("node_2", node_2)
    builder.add_node("node_3", node_3)
    builder.add_edge(START, "node_1")
    builder.add_conditional_edges("node_1", decide_mood)
    builder.add_edge("node_2", END)
    builder.add_edge("node_3", END)
    return builder.compile()


typed = build(TypedDictState, lambda s, k: s[k])
print(typed.invoke({"name": "Lance"}))

dc = build(DataclassState, getattr)
print(dc.invoke(DataclassState(name="Lance", mood="sad")))

pyd = build(PydanticState, getattr)
print(pyd.invoke(PydanticState(name="Lance", mood="sad")))
print(pyd.invoke({"name": "Lance Martin", "mood": "happy"}))

try:
    PydanticState(name="John Doe", mood="mad")
except ValidationError as e:
    print("Validation Error:", e.errors()[0]["msg"])

try:
    pyd.invoke({"name": "John Doe", "mood": "mad"})
except ValidationError as e:
    print("invoke refused the input:", e.errors()[0]["msg"])
