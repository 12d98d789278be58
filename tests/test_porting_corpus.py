"""The porting promise, checked on a corpus of LangGraph programs: change the imports, get the same output.

Each program in ``tests/porting/`` is written against ``langgraph`` in the shape of LangGraph's
documentation and courses and prints its results. It runs as written, and again with its
``langgraph.`` import lines pointed at ``nbstream.``; the two printed texts must be equal (uuids
and timestamps aside). Programs that need persistence must be refused
with a ``NotSupportedError`` that names the feature. The routers tests below pin the one gap the
corpus found that is fixed here: a router takes ``config``/``writer``/``runtime`` as a node does.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

import langgraph.graph
import pytest
from _porting import HERE, port, programs, refused_programs, run_both, run_source
from langchain_core.runnables import RunnableConfig

import nbstream.graph
from nbstream.errors import NotSupportedError
from nbstream.types import StreamWriter


@pytest.mark.parametrize("name", programs())
def test_program_prints_langgraphs_output_on_nbstream(name: str) -> None:
    expected, got = run_both(name)
    assert expected.strip(), f"{name} printed nothing under LangGraph"
    assert got == expected


# what each refused program's error must name
REFUSED_FEATURE = {
    "refused_functional_api": "task",
}


def test_every_refused_program_says_which_feature_it_needs() -> None:
    assert sorted(REFUSED_FEATURE) == refused_programs()


@pytest.mark.parametrize("name", sorted(REFUSED_FEATURE))
def test_program_using_what_nbstream_lacks_is_refused_loudly(name: str) -> None:
    source = (HERE / f"{name}.py").read_text()
    assert run_source(source, name).strip()  # it is a working LangGraph program
    with pytest.raises(NotSupportedError, match=REFUSED_FEATURE[name]):
        run_source(port(source), name)


def test_port_changes_only_langgraph_import_lines() -> None:
    source = (
        "from langgraph.graph import StateGraph\n"
        "import langgraph.types\n"
        "    from langgraph.types import Send\n"
        "from langgraph.cache.memory import InMemoryCache\n"
        "from langgraph.checkpoint.memory import InMemorySaver\n"
        "from langgraph.store.memory import InMemoryStore\n"
        "print('from langgraph.graph import x')\n"
        "x = langgraph.types.Send\n"
    )
    assert port(source) == (
        "from nbstream.graph import StateGraph\n"
        "import nbstream.types\n"
        "    from nbstream.types import Send\n"
        "from langgraph.cache.memory import InMemoryCache\n"
        "from langgraph.checkpoint.memory import InMemorySaver\n"
        "from langgraph.store.memory import InMemoryStore\n"
        "print('from langgraph.graph import x')\n"
        "x = langgraph.types.Send\n"
    )


# -- routers take config, writer and runtime by name, as nodes do ------------------------------------
@dataclass
class Who:
    name: str


class Trail(TypedDict):
    trail: Annotated[list[str], operator.add]


def _router_program(graph_mod: Any) -> list[Any]:
    """A router after a node reads the context, the config and writes custom data; one from START
    reads the context and the config."""

    def from_start(state: Trail, config: RunnableConfig, runtime: Any) -> str:
        return "a" if runtime.context.name == config["configurable"]["expected"] else "b"

    def after_a(state: Trail, config: RunnableConfig, writer: StreamWriter, runtime: Any) -> str:
        writer({"router saw": config["metadata"]["langgraph_node"], "who": runtime.context.name})
        return "b" if runtime.context.name == "ann" else graph_mod.END

    builder = graph_mod.StateGraph(Trail, context_schema=Who)
    builder.add_node("a", lambda s: {"trail": ["a"]})
    builder.add_node("b", lambda s: {"trail": ["b"]})
    builder.add_conditional_edges(graph_mod.START, from_start, ["a", "b"])
    builder.add_conditional_edges("a", after_a, ["b", graph_mod.END])
    graph = builder.compile()
    chunks: list[Any] = []
    for who, expected in (("ann", "ann"), ("bob", "bob"), ("cy", "ann")):
        chunks.extend(
            graph.stream(
                {"trail": []},
                {"configurable": {"expected": expected}},
                context=Who(who),
                stream_mode=["custom", "updates"],
            )
        )
    return chunks


def test_routers_get_config_writer_and_runtime_as_in_langgraph() -> None:
    expected = _router_program(langgraph.graph)
    assert ("custom", {"router saw": "a", "who": "ann"}) in expected
    assert _router_program(nbstream.graph) == expected


def test_a_router_from_start_that_wants_a_writer_is_refused_by_name() -> None:
    def from_start(state: Trail, writer: StreamWriter) -> str:
        return "a"

    builder = nbstream.graph.StateGraph(Trail)
    builder.add_node("a", lambda s: {"trail": ["a"]})
    builder.add_conditional_edges(nbstream.graph.START, from_start, ["a"])
    with pytest.raises(NotSupportedError, match="router from START takes a 'writer'"):
        builder.compile().invoke({"trail": []})
