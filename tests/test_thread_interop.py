"""A thread written by LangGraph 1.2.22 is read and continued by nbstream, and the reverse where
nbstream's format allows it (docs/differences.md, "Threads shared between the libraries")."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

import langgraph.graph as lg_graph
import langgraph.types as lg_types
from langgraph.checkpoint.memory import InMemorySaver

import nbstream.graph as nb_graph
import nbstream.types as nb_types


class State(TypedDict):
    log: Annotated[list[str], operator.add]
    answer: str


def build(graph_mod: Any, types_mod: Any, saver: Any, *, breakpoint: bool = False) -> Any:
    def draft(state: State) -> dict[str, Any]:
        return {"log": ["draft"]}

    def side(state: State) -> dict[str, Any]:
        return {"log": ["side"]}

    def review(state: State) -> dict[str, Any]:
        answer = types_mod.interrupt("approve?")
        return {"log": ["review"], "answer": answer}

    def publish(state: State) -> dict[str, Any]:
        return {"log": [f"publish:{state['answer']}"]}

    builder = graph_mod.StateGraph(State)
    builder.add_node("draft", draft)
    builder.add_node("side", side)
    builder.add_node("review", review)
    builder.add_node("publish", publish)
    builder.add_edge(graph_mod.START, "draft")
    builder.add_edge("draft", "review")
    builder.add_edge("draft", "side")
    builder.add_edge("review", "publish")
    builder.add_edge("publish", graph_mod.END)
    return builder.compile(checkpointer=saver, interrupt_before=["publish"] if breakpoint else None)


def test_nbstream_reads_and_continues_a_thread_langgraph_paused_on_an_interrupt() -> None:
    saver = InMemorySaver()
    config = {"configurable": {"thread_id": "lg-wrote"}}
    lg = build(lg_graph, lg_types, saver)
    nb = build(nb_graph, nb_types, saver)
    paused = lg.invoke({"log": [], "answer": ""}, config)
    lg_state, nb_state = lg.get_state(config), nb.get_state(config)
    assert nb_state.values == lg_state.values == {"log": ["draft", "side"], "answer": ""}
    assert nb_state.next == lg_state.next == ("review",)
    assert [t.id for t in nb_state.tasks] == [t.id for t in lg_state.tasks]  # the same task ids
    assert [i.id for i in nb_state.interrupts] == [i.id for i in paused["__interrupt__"]]
    # an answer by interrupt id, to the interrupt LangGraph raised
    done = nb.invoke(nb_types.Command(resume={paused["__interrupt__"][0].id: "yes"}), config)
    assert done == {"log": ["draft", "review", "side", "publish:yes"], "answer": "yes"}
    assert nb.get_state(config).next == ()


def test_langgraph_continues_a_thread_nbstream_paused_at_a_breakpoint() -> None:
    saver = InMemorySaver()
    config = {"configurable": {"thread_id": "nb-wrote"}}
    nb = build(nb_graph, nb_types, saver, breakpoint=True)
    lg = build(lg_graph, lg_types, saver, breakpoint=True)
    first = nb.invoke({"log": [], "answer": ""}, config)
    answer = first["__interrupt__"][0].id
    nb.invoke(nb_types.Command(resume={answer: "ok"}), config)  # paused before publish
    lg_state, nb_state = lg.get_state(config), nb.get_state(config)
    assert lg_state.values == nb_state.values == {"log": ["draft", "review", "side"], "answer": "ok"}
    assert lg_state.next == nb_state.next == ("publish",)
    assert [t.id for t in lg_state.tasks] == [t.id for t in nb_state.tasks]
    assert lg.invoke(None, config) == {"log": ["draft", "review", "side", "publish:ok"], "answer": "ok"}


def test_both_libraries_list_the_same_history_of_a_shared_thread() -> None:
    saver = InMemorySaver()
    config = {"configurable": {"thread_id": "shared"}}
    lg = build(lg_graph, lg_types, saver)
    nb = build(nb_graph, nb_types, saver)
    lg.invoke({"log": [], "answer": ""}, config)
    nb.invoke(nb_types.Command(resume="fine"), config)

    def listed(graph: Any) -> list[Any]:
        return [
            (s.metadata["source"], s.metadata["step"], s.next, s.values)
            for s in graph.get_state_history(config)
        ]

    assert listed(nb) == listed(lg)
    assert listed(nb)[0] == (
        "loop",
        3,
        (),
        {"log": ["draft", "review", "side", "publish:fine"], "answer": "fine"},
    )
