"""State schemas with defaults: pydantic defaults and nested models, dataclass defaults and messages."""

import operator
from dataclasses import dataclass, field
from typing import Annotated

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from pydantic import BaseModel, Field


class Address(BaseModel):
    city: str
    zip: str = "00000"


class Customer(BaseModel):
    name: str
    address: Address | None = None
    notes: Annotated[list[str], operator.add] = Field(default_factory=list)
    score: float = 0.5


def enrich(state: Customer) -> dict[str, object]:
    return {"address": Address(city="Lyon"), "notes": [f"enriched {state.name}"], "score": state.score + 0.25}


def review(state: Customer) -> dict[str, object]:
    assert state.address is not None
    return {"notes": [f"{state.name} lives in {state.address.city} ({state.address.zip})"]}


g = (
    StateGraph(Customer)
    .add_node(enrich)
    .add_node(review)
    .add_edge(START, "enrich")
    .add_edge("enrich", "review")
)
app = g.add_edge("review", END).compile()
print(app.invoke({"name": "Ada"}))
for chunk in app.stream({"name": "Bob", "notes": ["vip"]}, stream_mode="values"):
    print(chunk)


@dataclass
class Chat:
    messages: Annotated[list[AnyMessage], add_messages] = field(default_factory=list)
    mood: str = "neutral"
    count: int = 0


def reply(state: Chat) -> dict[str, object]:
    return {
        "messages": [AIMessage(content=f"({state.mood}) ok", id=f"a{state.count}")],
        "count": state.count + 1,
    }


chat = StateGraph(Chat).add_node(reply).add_edge(START, "reply").add_edge("reply", END).compile()
result = chat.invoke({"messages": [HumanMessage(content="hey", id="h0")]})
print(result)
print(chat.invoke(Chat(mood="happy", count=3)))
for chunk in chat.stream(
    {"messages": [HumanMessage(content="yo", id="h1")], "mood": "calm"}, stream_mode="updates"
):
    print(chunk)
