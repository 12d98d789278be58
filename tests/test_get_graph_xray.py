"""``get_graph(xray=...)`` and ``get_graph()`` give LangGraph's drawing: each program is built with
LangGraph's imports and with nbstream's, and the two ``Graph`` objects are compared (node ids,
names, metadata, edges with their labels and conditional flags, ``to_json()``, ``draw_mermaid()``).

LangGraph's ``draw_ascii()`` needs the ``grandalf`` package, which is not installed here, so the
ASCII drawings are not compared; nbstream's own offline one is checked to show the expanded nodes.
``draw_mermaid_png()`` needs the network and is never called.
"""

from __future__ import annotations

import asyncio
import linecache
import operator
import types
import warnings
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypedDict

import langgraph.graph
import langgraph.prebuilt
import langgraph.types
import pytest
from _graphgen import cases, render
from hypothesis import HealthCheck, given, settings
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver

import nbstream.graph
import nbstream.prebuilt
import nbstream.types

LG = types.SimpleNamespace(graph=langgraph.graph, types=langgraph.types, prebuilt=langgraph.prebuilt)
NB = types.SimpleNamespace(graph=nbstream.graph, types=nbstream.types, prebuilt=nbstream.prebuilt)

#: every depth LangGraph distinguishes: none, all (True, or a negative number), one level, two
XRAYS: list[bool | int] = [False, True, 0, 1, 2, -1]


class S(TypedDict):
    xs: Annotated[list[Any], operator.add]


class M(TypedDict):
    messages: Annotated[list[Any], operator.add]


def noop(state: Any) -> dict[str, Any]:
    return {}


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def drawing(drawn: Any) -> dict[str, Any]:
    """What a program sees of a ``get_graph()`` result. In ``to_json()`` a node's ``data.id`` is the
    class path of its Runnable (``langgraph._internal._runnable.RunnableCallable`` there,
    ``langchain_core...RunnableLambda`` here): each library's own, so it is left out."""
    as_json = drawn.to_json()
    for node in as_json["nodes"]:
        if isinstance(node.get("data"), dict):
            node["data"] = {k: v for k, v in node["data"].items() if k != "id"}
    return {
        "nodes": [(key, node.name, node.metadata) for key, node in drawn.nodes.items()],
        "edges": [(e.source, e.target, e.data, e.conditional) for e in drawn.edges],
        "json": as_json,
        "mermaid": drawn.draw_mermaid(),
        "mermaid_plain": drawn.draw_mermaid(with_styles=False),
    }


# -- the programs ----------------------------------------------------------------------------------------
def two_step(lib: Any, first: str = "x") -> Any:
    g = lib.graph
    return (
        g.StateGraph(S)
        .add_node(first, noop)
        .add_node(first + "2", noop)
        .add_edge(g.START, first)
        .add_edge(first, first + "2")
        .compile()
    )


def subgraph_node(lib: Any) -> Any:
    g = lib.graph
    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("s", two_step(lib))
        .add_edge(g.START, "a")
        .add_edge("a", "s")
        .compile()
    )


def subgraph_first_then_node(lib: Any) -> Any:
    g = lib.graph
    return (
        g.StateGraph(S)
        .add_node("s", two_step(lib))
        .add_node("b", noop)
        .add_edge(g.START, "s")
        .add_edge("s", "b")
        .compile()
    )


def one_node_subgraph(lib: Any) -> Any:
    g = lib.graph
    one = g.StateGraph(S).add_node("only", noop).add_edge(g.START, "only").compile()
    return g.StateGraph(S).add_node("s", one).add_edge(g.START, "s").compile()


def three_deep(lib: Any) -> Any:
    g = lib.graph
    level3 = two_step(lib, "z")
    level2 = (
        g.StateGraph(S)
        .add_node("y", noop)
        .add_node("l3", level3)
        .add_edge(g.START, "y")
        .add_edge("y", "l3")
        .compile()
    )
    level1 = (
        g.StateGraph(S)
        .add_node("l2", level2)
        .add_node("w", noop)
        .add_edge(g.START, "l2")
        .add_edge("l2", "w")
        .compile()
    )
    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("l1", level1)
        .add_edge(g.START, "a")
        .add_edge("a", "l1")
        .compile()
    )


def subgraph_in_a_branch(lib: Any) -> Any:
    g = lib.graph

    def route(state: S) -> Literal["s", "b"]:
        return "s"

    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("s", two_step(lib))
        .add_node("b", noop)
        .add_edge(g.START, "a")
        .add_conditional_edges("a", route)
        .add_edge("s", "b")
        .compile()
    )


def subgraph_with_a_path_map(lib: Any) -> Any:
    g = lib.graph
    inner = (
        g.StateGraph(S)
        .add_node("p", noop)
        .add_node("q", noop)
        .add_node("r", noop)
        .add_edge(g.START, "p")
        .add_conditional_edges("p", lambda s: "one", {"one": "q", "two": "r", "done": g.END})
        .compile()
    )
    return (
        g.StateGraph(S)
        .add_node("s", inner)
        .add_node("b", noop)
        .add_edge(g.START, "s")
        .add_edge("s", "b")
        .compile()
    )


def subgraph_with_a_literal_router(lib: Any) -> Any:
    g = lib.graph

    def route(state: S) -> Literal["q", "__end__"]:
        return "q"

    inner = (
        g.StateGraph(S)
        .add_node("p", noop)
        .add_node("q", noop)
        .add_edge(g.START, "p")
        .add_conditional_edges("p", route)
        .compile()
    )
    return (
        g.StateGraph(S)
        .add_node("s", inner)
        .add_node("b", noop)
        .add_edge(g.START, "s")
        .add_edge("s", "b")
        .compile()
    )


def subgraph_with_command_hints(lib: Any) -> Any:
    g, t = lib.graph, lib.types

    def jump(state: S) -> t.Command[Literal["q", "r"]]:  # type: ignore[name-defined]
        return t.Command(goto="q")

    inner = (
        g.StateGraph(S)
        .add_node("p", jump)
        .add_node("q", noop)
        .add_node("r", noop)
        .add_edge(g.START, "p")
        .compile()
    )
    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("s", inner)
        .add_edge(g.START, "a")
        .add_edge("a", "s")
        .compile()
    )


def subgraph_with_destinations(lib: Any) -> Any:
    g, t = lib.graph, lib.types

    def jump(state: S) -> Any:
        return t.Command(goto="q")

    inner = (
        g.StateGraph(S)
        .add_node("p", jump, destinations={"q": "go q", "r": "go r"})
        .add_node("p2", jump, destinations=("q",))
        .add_node("q", noop)
        .add_node("r", noop)
        .add_edge(g.START, "p")
        .add_edge("r", "p2")
        .compile()
    )
    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("s", inner)
        .add_edge(g.START, "a")
        .add_edge("a", "s")
        .compile()
    )


def subgraph_with_defer(lib: Any) -> Any:
    g = lib.graph
    inner = (
        g.StateGraph(S)
        .add_node("p", noop)
        .add_node("q", noop)
        .add_node("d", noop, defer=True)
        .add_edge(g.START, "p")
        .add_edge(g.START, "q")
        .add_edge("p", "d")
        .add_edge("q", "d")
        .compile()
    )
    return (
        g.StateGraph(S)
        .add_node("s", inner)
        .add_node("b", noop)
        .add_edge(g.START, "s")
        .add_edge("s", "b")
        .compile()
    )


def deferred_subgraph_node(lib: Any) -> Any:
    g = lib.graph
    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("b", noop)
        .add_node("s", two_step(lib), defer=True)
        .add_edge(g.START, "a")
        .add_edge(g.START, "b")
        .add_edge("a", "s")
        .add_edge("b", "s")
        .compile()
    )


def subgraph_entered_by_a_start_router(lib: Any) -> Any:
    g = lib.graph

    def route(state: S) -> Literal["p", "q"]:
        return "p"

    inner = (
        g.StateGraph(S)
        .add_node("p", noop)
        .add_node("q", noop)
        .add_conditional_edges(g.START, route)
        .compile()
    )
    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("s", inner)
        .add_edge(g.START, "a")
        .add_edge("a", "s")
        .compile()
    )


def parallel_subgraphs_joined(lib: Any) -> Any:
    g = lib.graph
    return (
        g.StateGraph(S)
        .add_node("s1", two_step(lib, "x"))
        .add_node("s2", two_step(lib, "y"))
        .add_node("j", noop)
        .add_edge(g.START, "s1")
        .add_edge(g.START, "s2")
        .add_edge(["s1", "s2"], "j")
        .compile()
    )


def subgraph_that_routes_back(lib: Any) -> Any:
    g = lib.graph

    def route(state: S) -> Literal["a", "__end__"]:
        return "__end__"

    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("s", two_step(lib), metadata={"team": "inner"})
        .add_edge(g.START, "a")
        .add_edge("a", "s")
        .add_conditional_edges("s", route)
        .compile()
    )


def subgraph_mapped_with_send(lib: Any) -> Any:
    g, t = lib.graph, lib.types

    def fan(state: S) -> list[Any]:
        return [t.Send("s", {"xs": [1]}), t.Send("s", {"xs": [2]})]

    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("s", two_step(lib))
        .add_node("j", noop)
        .add_edge(g.START, "a")
        .add_conditional_edges("a", fan, ["s"])
        .add_edge("s", "j")
        .compile()
    )


def supervisor_with_agents(lib: Any) -> Any:
    """The multi-agent shape: agents are subgraphs that hand back with ``Command.PARENT``."""
    g, t = lib.graph, lib.types

    def hand_back(state: S) -> Any:
        return t.Command(goto="supervisor", graph=t.Command.PARENT)

    def agent(name: str) -> Any:
        builder = g.StateGraph(S).add_node("think", noop).add_node("report", hand_back)
        return builder.add_edge(g.START, "think").add_edge("think", "report").compile(name=name)

    def supervisor(state: S) -> t.Command[Literal["researcher", "writer", "__end__"]]:  # type: ignore[name-defined]
        return t.Command(goto="__end__")

    return (
        g.StateGraph(S)
        .add_node("supervisor", supervisor)
        .add_node("researcher", agent("researcher"))
        .add_node("writer", agent("writer"))
        .add_edge(g.START, "supervisor")
        .compile()
    )


def react_agent_as_a_node(lib: Any) -> Any:
    class ToolCallingFake(FakeMessagesListChatModel):
        def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
            return self

    g = lib.graph
    with warnings.catch_warnings():  # LangGraph 1.x says create_react_agent moved to langchain
        warnings.simplefilter("ignore")
        agent = lib.prebuilt.create_react_agent(ToolCallingFake(responses=[AIMessage("hi")]), [add])
    return (
        g.StateGraph(M)
        .add_node("prepare", noop)
        .add_node("agent", agent)
        .add_edge(g.START, "prepare")
        .add_edge("prepare", "agent")
        .compile()
    )


def function_invoking_a_subgraph(lib: Any) -> Any:
    g = lib.graph
    inner = two_step(lib)

    def call(state: S) -> Any:
        return inner.invoke(state)

    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("call", call)
        .add_edge(g.START, "a")
        .add_edge("a", "call")
        .compile()
    )


def async_function_invoking_two_subgraphs(lib: Any) -> Any:
    g = lib.graph
    first, second = two_step(lib, "x"), two_step(lib, "y")

    async def call(state: S) -> Any:
        await second.ainvoke(state)
        return await first.ainvoke(state)

    return g.StateGraph(S).add_node("call", call).add_edge(g.START, "call").compile()


def runnables_holding_subgraphs(lib: Any) -> Any:
    g = lib.graph
    in_sequence, in_lambda = two_step(lib, "x"), two_step(lib, "y")

    def call(state: S) -> Any:
        return in_lambda.invoke(state)

    return (
        g.StateGraph(S)
        .add_node("seq", RunnableLambda(lambda s: s) | in_sequence)
        .add_node("lam", RunnableLambda(call))
        .add_edge(g.START, "seq")
        .add_edge("seq", "lam")
        .compile()
    )


def subgraph_without_checkpointing(lib: Any) -> Any:
    """A subgraph compiled with ``checkpointer=False`` is not one LangGraph expands."""
    g = lib.graph
    inner = (
        g.StateGraph(S)
        .add_node("x", noop)
        .add_node("x2", noop)
        .add_edge(g.START, "x")
        .add_edge("x", "x2")
        .compile(checkpointer=False)
    )
    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("s", inner)
        .add_edge(g.START, "a")
        .add_edge("a", "s")
        .compile()
    )


def interrupts_everywhere(lib: Any) -> Any:
    g = lib.graph
    inner = (
        g.StateGraph(S)
        .add_node("x", noop)
        .add_node("x2", noop)
        .add_edge(g.START, "x")
        .add_edge("x", "x2")
        .compile(interrupt_before=["x2"])
    )
    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("b", noop)
        .add_node("s", inner)
        .add_edge(g.START, "a")
        .add_edge("a", "b")
        .add_edge("b", "s")
        .compile(checkpointer=InMemorySaver(), interrupt_before=["a", "b"], interrupt_after=["b", "s"])
    )


def interrupt_before_all(lib: Any) -> Any:
    g = lib.graph
    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("b", noop, metadata={"k": 1})
        .add_edge(g.START, "a")
        .add_edge("a", "b")
        .compile(checkpointer=InMemorySaver(), interrupt_before="*", interrupt_after=["b"])
    )


def tool_node(lib: Any) -> Any:
    g = lib.graph
    return (
        g.StateGraph(M).add_node("tools", lib.prebuilt.ToolNode([add])).add_edge(g.START, "tools").compile()
    )


# -- shapes where LangGraph's drawing comes from its simulated walk, not from the declarations alone ------
def loop_without_exit(lib: Any, length: int) -> Any:
    """A loop with no way out: LangGraph's walk stops after 250 steps and draws a dotted edge to
    ``__end__`` from the node its last step ran (which one depends on the loop's length)."""
    g = lib.graph
    names = [f"n{i}" for i in range(length)]
    builder = g.StateGraph(S)
    for name in names:
        builder.add_node(name, noop)
    builder.add_edge(g.START, names[0])
    for source, target in zip(names, names[1:] + names[:1], strict=True):
        builder.add_edge(source, target)
    return builder.compile()


def two_node_loop(lib: Any) -> Any:
    return loop_without_exit(lib, 2)


def three_node_loop(lib: Any) -> Any:
    return loop_without_exit(lib, 3)


def command_loop(lib: Any) -> Any:
    """Declared ``Command`` routes fire once in LangGraph's walk, so it ends at the node that
    repeats first."""
    g, t = lib.graph, lib.types

    def a(state: S) -> t.Command[Literal["b"]]:  # type: ignore[name-defined]
        return t.Command(goto="b")

    def b(state: S) -> t.Command[Literal["a"]]:  # type: ignore[name-defined]
        return t.Command(goto="a")

    return g.StateGraph(S).add_node("a", a).add_node("b", b).add_edge(g.START, "a").compile()


def deferred_node_reached_early(lib: Any) -> Any:
    """``d`` waits for the longer branch, which has no edge to it: LangGraph draws ``y -.-> d``."""
    g = lib.graph
    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("x", noop)
        .add_node("y", noop)
        .add_node("d", noop, defer=True)
        .add_edge(g.START, "a")
        .add_edge(g.START, "x")
        .add_edge("x", "y")
        .add_edge("a", "d")
        .compile()
    )


def nodes_behind_undeclared_routes(lib: Any) -> Any:
    """A router without hint and a ``Send``: what only they reach keeps no edges, subgraph too."""
    g, t = lib.graph, lib.types

    def fan(state: S) -> list[Any]:
        return [t.Send("s", {"xs": [1]})]

    return (
        g.StateGraph(S)
        .add_node("agent", noop)
        .add_node("tools", noop)
        .add_node("s", two_step(lib))
        .add_node("after", noop)
        .add_edge(g.START, "agent")
        .add_conditional_edges("agent", lambda s: "tools")
        .add_edge("tools", "agent")
        .add_conditional_edges("tools", fan)
        .add_edge("s", "after")
        .compile()
    )


def join_of_uneven_branches(lib: Any) -> Any:
    g = lib.graph
    return (
        g.StateGraph(S)
        .add_node("a", noop)
        .add_node("x", noop)
        .add_node("b", noop)
        .add_node("c", noop)
        .add_edge(g.START, "a")
        .add_edge(g.START, "x")
        .add_edge("x", "b")
        .add_edge(["a", "b"], "c")
        .compile()
    )


PROGRAMS: list[Callable[[Any], Any]] = [
    subgraph_node,
    subgraph_first_then_node,
    one_node_subgraph,
    three_deep,
    subgraph_in_a_branch,
    subgraph_with_a_path_map,
    subgraph_with_a_literal_router,
    subgraph_with_command_hints,
    subgraph_with_destinations,
    subgraph_with_defer,
    deferred_subgraph_node,
    subgraph_entered_by_a_start_router,
    parallel_subgraphs_joined,
    subgraph_that_routes_back,
    subgraph_mapped_with_send,
    supervisor_with_agents,
    react_agent_as_a_node,
    function_invoking_a_subgraph,
    async_function_invoking_two_subgraphs,
    runnables_holding_subgraphs,
    subgraph_without_checkpointing,
    interrupts_everywhere,
    interrupt_before_all,
    tool_node,
    two_node_loop,
    three_node_loop,
    command_loop,
    deferred_node_reached_early,
    nodes_behind_undeclared_routes,
    join_of_uneven_branches,
]


# -- the tests -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("program", PROGRAMS, ids=[p.__name__ for p in PROGRAMS])
def test_get_graph_at_every_xray_depth_is_langgraphs(program: Callable[[Any], Any]) -> None:
    theirs, ours = program(LG), program(NB)
    for xray in XRAYS:
        assert drawing(ours.get_graph(xray=xray)) == drawing(theirs.get_graph(xray=xray)), f"xray={xray!r}"


def test_xray_names_subgraph_nodes_with_their_path() -> None:
    """The ids a tutorial reads: ``"<subgraph node>:<inner node>"``, nested with more colons."""
    expected = ["__start__", "a", "__end__", "l1:w", "l1:l2:y", "l1:l2:l3:z", "l1:l2:l3:z2"]
    assert list(three_deep(NB).get_graph(xray=True).nodes) == expected
    assert list(three_deep(NB).get_graph(xray=1).nodes) == ["__start__", "a", "__end__", "l1:l2", "l1:w"]


def test_aget_graph_is_get_graph() -> None:
    for lib in (LG, NB):
        graph = three_deep(lib)
        for xray in XRAYS:
            assert drawing(asyncio.run(graph.aget_graph(xray=xray))) == drawing(graph.get_graph(xray=xray))


def test_a_function_nodes_data_holds_the_function_as_in_langgraph() -> None:
    """``node.data`` is a Runnable in both libraries; its ``func`` is the function that was added."""
    for lib in (LG, NB):
        drawn = subgraph_node(lib).get_graph(xray=True)
        assert drawn.nodes["a"].data.func is noop
        assert drawn.nodes["s:x"].data.func is noop
        assert drawn.to_json()["nodes"][0]["type"] == "runnable"


def test_the_offline_drawing_shows_the_expanded_subgraphs() -> None:
    """nbstream's ``draw_ascii()`` and notebook drawing need no extra package; with xray they
    show the subgraphs' nodes by their prefixed ids."""
    drawn = supervisor_with_agents(NB).get_graph(xray=True)
    text = drawn.draw_ascii()
    for node in ("supervisor", "researcher:think", "researcher:report", "writer:think", "writer:report"):
        assert node in text
    assert "researcher\n" not in text and "'-> writer\n" not in text
    bundle = drawn._repr_mimebundle_()
    assert "researcher:think" in bundle["image/svg+xml"] and bundle["text/plain"] == text


# -- generated programs ---------------------------------------------------------------------------------
def _built(source: str, filename: str) -> Any:
    """Execute a generated module whose functions ``inspect.getsource`` can read (LangGraph and
    nbstream look into a node function's source for the subgraphs it invokes)."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = {"__name__": filename.strip("<>")}
    exec(compile(source, filename, "exec", dont_inherit=True), namespace)
    return namespace["graph"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_generated_graphs_draw_as_langgraph_at_every_depth(case: Any) -> None:
    """Random programs (chains, joins, branches, loops, Send, nested subgraphs, subgraphs invoked
    from a node's body, Command.PARENT) give LangGraph's drawing at every xray depth."""
    theirs = _built(render(case, "langgraph", aio=False), "<xray-case langgraph>")
    ours = _built(render(case, "nbstream", aio=False), "<xray-case nbstream>")
    for xray in (False, True, 1):
        assert drawing(ours.get_graph(xray=xray)) == drawing(theirs.get_graph(xray=xray)), f"xray={xray!r}"


def test_get_subgraphs_lists_the_subgraphs_langgraph_lists() -> None:
    """A compiled graph as a node and one a node's function invokes are listed (recursively as
    ``a|b``); one compiled with ``checkpointer=False`` is not, as in LangGraph."""

    def listed(g: Any) -> list[list[str]]:
        class S(TypedDict):
            x: int

        inner = g.StateGraph(S).add_node("i", lambda s: {"x": 1}).add_edge(g.START, "i").compile()
        opted_out = g.StateGraph(S).add_node("j", lambda s: {"x": 2}).add_edge(g.START, "j")
        opted_out = opted_out.compile(checkpointer=False)

        def calls(state: S) -> Any:
            return inner.invoke(state)

        deeper = g.StateGraph(S).add_node("sub", inner).add_edge(g.START, "sub").compile()
        graph = (
            g.StateGraph(S)
            .add_node("a", inner)
            .add_node("b", calls)
            .add_node("c", opted_out)
            .add_node("d", deeper)
            .add_edge(g.START, "a")
            .add_edge("a", "b")
            .add_edge("b", "c")
            .add_edge("c", "d")
            .compile()
        )
        return [
            [name for name, _ in graph.get_subgraphs()],
            [name for name, _ in graph.get_subgraphs(recurse=True)],
            [name for name, _ in graph.get_subgraphs(namespace="d|sub", recurse=True)],
        ]

    expected = listed(langgraph.graph)
    assert listed(nbstream.graph) == expected == [["a", "b", "d"], ["a", "b", "d", "d|sub"], ["d|sub"]]
