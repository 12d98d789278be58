"""A subgraph invoked from inside a node: its tokens and updates still stream with subgraphs=True."""

from typing import TypedDict

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langgraph.graph import END, START, StateGraph

model = GenericFakeChatModel(messages=iter(["Nested tokens flow up."]))


class Inner(TypedDict):
    question: str
    answer: str


def answer(state: Inner) -> dict[str, str]:
    return {"answer": str(model.invoke(state["question"]).content)}


inner = StateGraph(Inner).add_node(answer).add_edge(START, "answer").add_edge("answer", END).compile()


class Outer(TypedDict):
    topic: str
    result: str


def ask(state: Outer) -> dict[str, str]:
    out = inner.invoke({"question": f"Tell me about {state['topic']}"})
    return {"result": out["answer"]}


graph = StateGraph(Outer).add_node(ask).add_edge(START, "ask").add_edge("ask", END).compile()

for ns, mode, chunk in graph.stream({"topic": "rivers"}, stream_mode=["updates", "messages"], subgraphs=True):
    path = [n.split(":")[0] for n in ns]
    if mode == "messages":
        message, metadata = chunk
        print(path, mode, metadata["langgraph_node"], repr(message.content))
    else:
        print(path, mode, chunk)
