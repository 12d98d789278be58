"""A resumed run says what resumed it, for every kind of watched run.

What a user relies on: after answering a pause, the view says what the answer was ("resumed with
True"), whether the thread is an nbstream one or a LangGraph one; a run that went on without an
answer (a breakpoint continued) says "continued", never "resumed with None".
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from langgraph.checkpoint.memory import InMemorySaver

import nbstream.langgraph as nblg
from nbstream.events import Event, RunResumed
from nbstream.widgets import RunView
from nbstream.widgets._text import pause_text


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def _graphs(graph_module: Any, types_module: Any) -> tuple[Any, Any]:
    def ask(state: State) -> dict[str, Any]:
        return {"log": [f"answer={types_module.interrupt('ok?')}"]}

    def done(state: State) -> dict[str, Any]:
        return {"log": ["done"]}

    def build(**compile_kwargs: Any) -> Any:
        return (
            graph_module.StateGraph(State)
            .add_node("ask", ask)
            .add_node("done", done)
            .add_edge(graph_module.START, "ask")
            .add_edge("ask", "done")
            .add_edge("done", graph_module.END)
            .compile(checkpointer=InMemorySaver(), **compile_kwargs)
        )

    return build(), build(interrupt_before=["done"])


def _resumes(events: list[Event]) -> list[Any]:
    return [e.resume for e in events if isinstance(e, RunResumed) and not e.ns]


def test_a_langgraph_thread_resumed_through_the_watch_says_its_answer() -> None:
    import langgraph.graph as lg_graph
    import langgraph.types as lg_types

    asking, _ = _graphs(lg_graph, lg_types)
    config = {"configurable": {"thread_id": "t"}}
    events: list[Event] = []
    view = RunView(mode="widgets")
    nblg.invoke(asking, {"log": []}, config, observers=[view, events.append])
    assert view.model.header.status == "waiting"
    result = nblg.invoke(asking, lg_types.Command(resume=True), config, observers=[view, events.append])
    assert result == {"log": ["answer=True", "done"]}
    assert _resumes(events) == [True]
    assert view.model.pause is not None
    assert pause_text(view.model.pause) == "resumed with True"
    assert view.model.header.status == "done"


def test_a_langgraph_breakpoint_continued_says_continued() -> None:
    import langgraph.graph as lg_graph
    import langgraph.types as lg_types

    _, held = _graphs(lg_graph, lg_types)
    config = {"configurable": {"thread_id": "t"}}
    view = RunView(mode="widgets")
    nblg.invoke(held, {"log": []}, config, observers=[view])
    nblg.invoke(held, lg_types.Command(resume="x"), config, observers=[view])  # answers ask
    assert view.model.pause is not None and view.model.pause.waiting  # now held before done
    nblg.invoke(held, None, config, observers=[view])
    assert pause_text(view.model.pause) == "continued"
    assert view.model.header.status == "done"


def test_an_nbstream_breakpoint_continued_says_continued() -> None:
    import nbstream.graph as nb_graph
    import nbstream.types as nb_types

    _, held = _graphs(nb_graph, nb_types)
    config = {"configurable": {"thread_id": "t"}}
    view = RunView(mode="widgets")
    held.invoke({"log": []}, config, observers=[view])
    held.invoke(nb_types.Command(resume="x"), config, observers=[view])
    assert view.model.pause is not None and view.model.pause.waiting
    held.invoke(None, config, observers=[view])
    assert pause_text(view.model.pause) == "continued"
    assert view.model.header.status == "done"
