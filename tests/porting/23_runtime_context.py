"""Run-time context: context_schema, a Runtime parameter, and get_runtime() (graph API how-to)."""

from dataclasses import dataclass
from typing import TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime, get_runtime


@dataclass
class ContextSchema:
    user_name: str
    model_provider: str = "anthropic"


class State(TypedDict):
    question: str
    answer: str


def greet(state: State, runtime: Runtime[ContextSchema]) -> dict[str, str]:
    return {"answer": f"Hello {runtime.context.user_name}, you asked: {state['question']}"}


def sign(state: State) -> dict[str, str]:
    runtime = get_runtime(ContextSchema)
    return {"answer": state["answer"] + f" (via {runtime.context.model_provider})"}


def route(state: State, runtime: Runtime[ContextSchema]) -> str:
    return "sign" if runtime.context.model_provider != "none" else END


builder = StateGraph(State, context_schema=ContextSchema)
builder.add_node("greet", greet)
builder.add_node("sign", sign)
builder.add_edge(START, "greet")
builder.add_conditional_edges("greet", route, ["sign", END])
builder.add_edge("sign", END)
graph = builder.compile()

print(graph.invoke({"question": "what is 2+2?"}, context=ContextSchema(user_name="Ada")))
print(graph.invoke({"question": "why?"}, context=ContextSchema(user_name="Bob", model_provider="openai")))
print(graph.invoke({"question": "quiet"}, context=ContextSchema(user_name="Cy", model_provider="none")))
for chunk in graph.stream(
    {"question": "stream?"}, context=ContextSchema(user_name="Di"), stream_mode="updates"
):
    print(chunk)


# a TypedDict context works too
class Ctx(TypedDict):
    prefix: str


def prefixed(state: State, runtime: Runtime[Ctx]) -> dict[str, str]:
    return {"answer": runtime.context["prefix"] + state["question"]}


g = StateGraph(State, context_schema=Ctx).add_node(prefixed).add_edge(START, "prefixed").compile()
print(g.invoke({"question": "q"}, context={"prefix": ">> "}))
