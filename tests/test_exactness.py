"""What programs print must be LangGraph's, to the character: metadata, order, error text.

Each test runs one program on nbstream and on LangGraph 1.2.22 (or asserts LangGraph's exact
output, checked here against LangGraph too) and compares what a program would print: metadata
dicts with their key order, the order of chunks and of printed lines, ``str(e)`` of errors.
"""

from __future__ import annotations

import asyncio
import itertools
import operator
import re
import time
from typing import Annotated, Any, TypedDict

import pytest
from _messages_support import LG, NB, Lib
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.tools import tool

import nbstream.config

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def canon(value: Any) -> str:
    """``repr`` of ``value`` with task and run ids replaced by ``<id>``."""
    return _UUID.sub("<id>", repr(value))


def printed(meta: dict[str, Any]) -> list[tuple[str, str]]:
    """A metadata dict as a program prints it: keys in order, values without ids."""
    return [(k, canon(v)) for k, v in meta.items() if k != "lc_versions"]


def both(run: Any) -> tuple[Any, Any]:
    """``run(lib)`` on nbstream and on LangGraph."""
    return run(NB), run(LG)


def _config_get(lib: Lib) -> Any:
    if lib is NB:
        return nbstream.config.get_config
    import langgraph.config

    return langgraph.config.get_config


# -- 1. messages metadata inside subgraphs: values and key order ------------------------------------
class NbMsgState(TypedDict):
    messages: Annotated[list[Any], NB.add_messages]


class LgMsgState(TypedDict):
    messages: Annotated[list[Any], LG.add_messages]


def _nested_graphs(lib: Lib, seen_configs: list[Any]) -> Any:
    """A root node, a subgraph ``s`` (node metadata ``nm``) holding a node and a subgraph ``s2``,
    and a root node ``c`` that invokes a graph itself; every leaf node calls a chat model and
    returns its answer plus a message of its own."""
    model = GenericFakeChatModel(messages=itertools.cycle([AIMessage("hi")]))
    get_config = _config_get(lib)

    State = NbMsgState if lib is NB else LgMsgState

    def leaf(state: Any) -> dict[str, Any]:
        seen_configs.append(printed(get_config()["metadata"]))
        return {"messages": [model.invoke("q"), AIMessage("node-made")]}

    inner = lib.StateGraph(State).add_node("n", leaf, metadata={"inner_nm": 2})
    inner = inner.add_edge(lib.START, "n").compile()

    def caller(state: Any) -> dict[str, Any]:
        seen_configs.append(printed(get_config()["metadata"]))
        return {"messages": inner.invoke(state, {"metadata": {"x": 1}, "tags": ["inner"]})["messages"]}

    sub = lib.StateGraph(State).add_node("n", leaf).add_node("s2", inner)
    sub = sub.add_edge(lib.START, "n").add_edge("n", "s2").compile()
    root = (
        lib.StateGraph(State).add_node("n", leaf).add_node("c", caller).add_node("s", sub, metadata={"nm": 1})
    )
    return root.add_edge(lib.START, "n").add_edge("n", "c").add_edge("c", "s").compile()


CONFIGS = [
    None,
    {"metadata": {"user": 1}, "tags": ["t1"], "configurable": {"thread_id": "T", "foo": 2}},
    {"configurable": {"thread_id": "T", "checkpoint_id": "C"}},
    {"tags": ["a", "b"], "metadata": {"z": 0, "a": 1}},
    {"run_name": "x", "recursion_limit": 50},
]


@pytest.mark.parametrize("config", CONFIGS, ids=["none", "meta+tags+thread", "ids", "tags", "other"])
@pytest.mark.parametrize("subgraphs", [True, False], ids=["subgraphs", "root-only"])
def test_messages_metadata_is_langgraphs_at_every_depth(config: Any, subgraphs: bool) -> None:
    def run(lib: Lib) -> tuple[list[Any], list[Any]]:
        configs: list[Any] = []
        graph = _nested_graphs(lib, configs)
        out = []
        for item in graph.stream({"messages": []}, config, stream_mode="messages", subgraphs=subgraphs):
            ns, (message, meta) = item if subgraphs else ((), item)
            out.append((canon(ns), type(message).__name__, message.content, printed(meta)))
        return out, configs

    nb, lg = both(run)
    assert nb[0] == lg[0]
    assert nb[1] == lg[1]  # get_config()["metadata"] in every node, in the same order


def test_checkpoint_ns_is_the_outermost_subgraph_task() -> None:
    configs: list[Any] = []
    graph = _nested_graphs(NB, configs)
    depths = set()
    for ns, (message, meta) in graph.stream({"messages": []}, stream_mode="messages", subgraphs=True):
        if message.content != "hi":
            continue  # a node's own message: its metadata has checkpoint_ns inside subgraphs only
        own = meta["langgraph_checkpoint_ns"]
        assert own.split("|")[:-1] == list(ns)
        # LangGraph: the root task's own namespace at the root, the outermost subgraph task's inside
        assert meta["checkpoint_ns"] == (ns[0] if ns else own)
        depths.add(len(ns))
    assert depths == {0, 1, 2}


def test_messages_metadata_async_matches() -> None:
    async def collect(lib: Lib) -> list[Any]:
        graph = _nested_graphs(lib, [])
        return [
            (canon(ns), type(m).__name__, printed(meta))
            async for ns, (m, meta) in graph.astream(
                {"messages": []}, CONFIGS[1], stream_mode="messages", subgraphs=True
            )
        ]

    nb, lg = both(lambda lib: asyncio.run(collect(lib)))
    assert nb == lg


def test_get_config_metadata_without_messages_mode() -> None:
    """No messages handler: a subgraph's nodes still inherit their task's metadata, in order."""

    def run(lib: Lib) -> list[Any]:
        configs: list[Any] = []
        _nested_graphs(lib, configs).invoke({"messages": []}, CONFIGS[1])
        return configs

    nb, lg = both(run)
    assert nb == lg


# -- 2. a task's own events keep the order it made them in ------------------------------------------
class ListState(TypedDict):
    out: Annotated[list[str], operator.add]


def _writer_of(lib: Lib) -> Any:
    return lib.get_stream_writer


def _branch(lib: Lib, name: str, kind: str) -> Any:
    """A node that writes custom data before and after a chat-model call made its ``kind`` way."""
    model = GenericFakeChatModel(messages=itertools.cycle([AIMessage(f"{name} one two three four")]))
    get_writer = _writer_of(lib)

    @tool
    def lookup(q: str) -> str:
        """Look something up (a sync tool: awaited from an async node, it runs in a thread)."""
        writer = get_writer()
        for i in range(3):
            writer(f"{name}:tool{i}")
        return str(model.invoke(q).content)

    if kind == "sync":

        def node(state: Any) -> dict[str, Any]:
            get_writer()(f"{name}:before")
            answer = model.invoke("q")
            get_writer()(f"{name}:after")
            return {"out": [answer.content]}

    elif kind == "async":

        async def node(state: Any) -> dict[str, Any]:
            get_writer()(f"{name}:before")
            answer = await model.ainvoke("q")
            get_writer()(f"{name}:after")
            return {"out": [answer.content]}

    else:  # "tool": an async node awaiting a sync tool, which runs on a worker thread

        async def node(state: Any) -> dict[str, Any]:
            get_writer()(f"{name}:before")
            answer = await lookup.ainvoke({"q": "x"})
            get_writer()(f"{name}:after")
            return {"out": [answer]}

    return node


def _fan_graph(lib: Lib, kinds: list[str], how: str) -> Any:
    """Parallel branches, each a :func:`_branch`, run at the root, as a subgraph node, or by a
    root node that invokes their graph itself (``call``)."""
    inner = lib.StateGraph(ListState)
    for name, kind in zip("abcd", kinds, strict=False):
        inner.add_node(name, _branch(lib, name, kind))
        inner.add_edge(lib.START, name)
    sub = inner.compile()
    if how == "root":
        return sub
    if how == "node":
        return lib.StateGraph(ListState).add_node("s", sub).add_edge(lib.START, "s").compile()
    if all(k == "sync" for k in kinds):

        def call(state: Any) -> dict[str, Any]:
            return {"out": sub.invoke(state)["out"]}

    else:

        async def call(state: Any) -> dict[str, Any]:  # type: ignore[misc]
            return {"out": (await sub.ainvoke(state))["out"]}

    return lib.StateGraph(ListState).add_node("s", call).add_edge(lib.START, "s").compile()


def _per_node(items: list[tuple[str, Any]]) -> dict[str, list[str]]:
    """Each node's custom data and tokens, in the order the stream delivered them."""
    seen: dict[str, list[str]] = {}
    for mode, data in items:
        label = data if mode == "custom" else f"{data[1]['langgraph_node']}:token"
        seen.setdefault(label.split(":")[0], []).append(label)
    return seen


FANS = [
    (["sync"] * 4, "node"),
    (["sync"] * 4, "call"),
    (["sync"] * 4, "root"),
    (["async"] * 4, "call"),
    (["sync", "async", "sync", "async"], "call"),
    (["sync", "async", "sync", "async"], "node"),
    (["tool", "tool", "sync", "async"], "root"),
    (["tool", "tool"], "call"),
]


@pytest.mark.parametrize(("kinds", "how"), FANS, ids=[f"{'-'.join(k)}-{h}" for k, h in FANS])
def test_async_task_events_keep_their_order(kinds: list[str], how: str) -> None:
    async def collect(lib: Lib) -> list[dict[str, list[str]]]:
        graph = _fan_graph(lib, kinds, how)
        runs = []
        for _ in range(4):
            items = []
            async for _ns, mode, data in graph.astream(
                {"out": []}, stream_mode=["custom", "messages"], subgraphs=True
            ):
                items.append((mode, data))
                await asyncio.sleep(0.001)  # a slow consumer lets nodes run ahead of it
            runs.append(_per_node(items))
        return runs

    nb, lg = both(lambda lib: asyncio.run(collect(lib)))
    assert nb == lg


@pytest.mark.parametrize("how", ["node", "call", "root"])
def test_sync_task_events_keep_their_order(how: str) -> None:
    def collect(lib: Lib) -> list[dict[str, list[str]]]:
        graph = _fan_graph(lib, ["sync"] * 4, how)
        runs = []
        for _ in range(4):
            items = []
            for _ns, mode, data in graph.stream(
                {"out": []}, stream_mode=["custom", "messages"], subgraphs=True
            ):
                items.append((mode, data))
                time.sleep(0.001)
            runs.append(_per_node(items))
        return runs

    nb, lg = both(collect)
    assert nb == lg


@pytest.mark.parametrize("how", ["node", "call"])
@pytest.mark.parametrize("driver", ["sync", "async"])
def test_observers_see_a_tasks_events_before_its_end(how: str, driver: str) -> None:
    from nbstream.events import CustomData, MessageChunk, TaskFinished

    kinds = ["sync"] * 4 if driver == "sync" else ["sync", "async", "tool", "async"]
    graph = _fan_graph(NB, kinds, how)
    events: list[Any] = []
    if driver == "sync":
        graph.invoke({"out": []}, observers=[events.append])
    else:
        asyncio.run(graph.ainvoke({"out": []}, observers=[events.append]))
    per_node: dict[str, list[str]] = {}
    for e in events:
        if isinstance(e, CustomData):
            per_node.setdefault(e.node, []).append(str(e.data).split(":")[1])
        elif isinstance(e, MessageChunk) and e.kind == "token":
            per_node.setdefault(e.node, []).append("token")
        elif isinstance(e, TaskFinished) and e.node in per_node:
            per_node[e.node].append("end")
    for name, kind in zip("abcd", kinds, strict=False):
        seq = per_node[name]
        assert seq[0] == "before" and seq[-2:] == ["after", "end"], (name, seq)
        if kind == "tool":
            assert seq[1:4] == ["tool0", "tool1", "tool2"]


# -- 3. a step's outputs are handed out in finishing order ----------------------------------------
class MapState(TypedDict):
    items: list[int]
    done: Annotated[list[int], operator.add]


class WorkerInput(TypedDict):
    i: int


def _map_reduce(lib: Lib, delay: float) -> Any:
    def worker(job: WorkerInput) -> dict[str, Any]:
        time.sleep(delay * job["i"])
        return {"done": [job["i"]]}

    def fan(state: MapState) -> list[Any]:
        return [lib.Send("worker", {"i": i}) for i in state["items"]]

    builder = lib.StateGraph(MapState).add_node("worker", worker)
    return builder.add_conditional_edges(lib.START, fan, ["worker"]).add_edge("worker", lib.END).compile()


def test_send_map_reduce_updates_come_in_finishing_order() -> None:
    """Workers that take 0.05 * i seconds: ``updates`` yields them by i, run after run."""
    order = [3, 0, 5, 1, 4, 2]

    def run(lib: Lib) -> list[list[int]]:
        graph = _map_reduce(lib, 0.05)
        return [
            [
                chunk["worker"]["done"][0]
                for chunk in graph.stream({"items": order, "done": []}, stream_mode="updates")
            ]
            for _ in range(5)
        ]

    nb, lg = both(run)
    assert lg == [sorted(order)] * 5
    assert nb == lg


def test_send_map_reduce_invoke_and_observers_keep_the_result() -> None:
    from nbstream.events import TaskFinished

    order = [3, 0, 5, 1, 4, 2]
    graph = _map_reduce(NB, 0.02)
    lg_result = _map_reduce(LG, 0.0).invoke({"items": order, "done": []})
    assert graph.invoke({"items": order, "done": []}) == lg_result  # writes applied in task order
    finished: list[int] = []

    def observe(event: Any) -> None:
        if isinstance(event, TaskFinished):
            finished.append(event.update["done"][0])

    assert graph.invoke({"items": order, "done": []}, observers=[observe]) == lg_result
    assert finished == sorted(order)  # observers see each task end when it ends


# -- 4. nodes of one step that print: LangGraph's output, run after run ------------------------------
def _printing_fan(lib: Lib, with_sends: bool) -> Any:
    """``src`` then five nodes (added out of order) that print at once; optionally three Sends."""

    def printer(name: str) -> Any:
        def node(state: Any) -> dict[str, Any]:
            print(f"node {name}")
            return {"out": [name]}

        return node

    def send_printer(state: Any) -> dict[str, Any]:
        print(f"send {state['out']}")
        return {"out": ["w"]}

    builder = lib.StateGraph(ListState).add_node("src", printer("src")).add_edge(lib.START, "src")
    for name in ["e", "b", "d", "a", "c"]:
        builder.add_node(name, printer(name)).add_edge("src", name)
    if with_sends:
        builder.add_node("w", send_printer)
        builder.add_conditional_edges("src", lambda s: [lib.Send("w", {"out": [i]}) for i in range(3)], ["w"])
    return builder.compile()


def _run_printing(graph: Any, mode: str) -> None:
    if mode == "invoke":
        graph.invoke({"out": []})
    elif mode == "stream":
        list(graph.stream({"out": []}))
    elif mode == "stream-custom":
        list(graph.stream({"out": []}, stream_mode="custom"))
    elif mode == "ainvoke":
        asyncio.run(graph.ainvoke({"out": []}))
    else:

        async def consume() -> None:
            async for _ in graph.astream({"out": []}):
                pass

        asyncio.run(consume())


@pytest.mark.parametrize("with_sends", [False, True], ids=["pulls", "sends+pulls"])
@pytest.mark.parametrize("mode", ["invoke", "stream", "stream-custom", "ainvoke", "astream"])
def test_printing_nodes_print_langgraphs_output_every_run(
    mode: str, with_sends: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    _run_printing(_printing_fan(LG, with_sends), mode)
    expected = capsys.readouterr().out
    # LangGraph starts Sends first (in order), then the triggered nodes by name
    sends = "".join(f"send [{i}]\n" for i in range(3)) if with_sends else ""
    assert expected == "node src\n" + sends + "".join(f"node {n}\n" for n in "abcde")
    graph = _printing_fan(NB, with_sends)
    outputs = []
    for _ in range(30):
        _run_printing(graph, mode)
        outputs.append(capsys.readouterr().out)
    assert outputs == [expected] * 30


# -- 5. error messages programs print are LangGraph's ----------------------------------------------
class ErrState(TypedDict):
    state: str
    log: Annotated[list[int], operator.add]


class ErrWorker(TypedDict):
    i: int


def _two_writers(lib: Lib) -> Any:
    builder = (
        lib.StateGraph(ErrState)
        .add_node("a", lambda s: {"state": "a"})
        .add_node("b", lambda s: {"state": "b"})
    )
    return builder.add_edge(lib.START, "a").add_edge(lib.START, "b").compile()


def _looping(lib: Lib) -> Any:
    return (
        lib.StateGraph(ErrState)
        .add_node("a", lambda s: {"log": [1]})
        .add_edge(lib.START, "a")
        .add_edge("a", "a")
        .compile()
    )


def _returning(lib: Lib, value: Any) -> Any:
    return lib.StateGraph(ErrState).add_node("a", lambda s: value).add_edge(lib.START, "a").compile()


def _send_twice(lib: Lib) -> Any:
    builder = lib.StateGraph(ErrState).add_node("w", lambda w: {"state": "x"})
    fan = lambda s: [lib.Send("w", {"i": 1}), lib.Send("w", {"i": 2})]  # noqa: E731
    return builder.add_conditional_edges(lib.START, fan, ["w"]).compile()


def _bad_path_map(lib: Lib) -> Any:
    builder = lib.StateGraph(ErrState).add_node("a", lambda s: {"log": [1]})
    return builder.add_conditional_edges(lib.START, lambda s: "zzz", {"x": "a"}).compile()


def _async_node(lib: Lib) -> Any:
    async def slow(state: Any) -> dict[str, Any]:
        return {"log": [1]}

    return lib.StateGraph(ErrState).add_node("a", slow).add_edge(lib.START, "a").compile()


def _in_subgraph(lib: Lib) -> Any:
    return lib.StateGraph(ErrState).add_node("s", _two_writers(lib)).add_edge(lib.START, "s").compile()


START_STATE = {"state": "", "log": []}
ERROR_CASES: dict[str, Any] = {
    "concurrent-update": lambda lib: _two_writers(lib).invoke(START_STATE),
    "concurrent-update-sends": lambda lib: _send_twice(lib).invoke(START_STATE),
    "concurrent-update-command": lambda lib: _returning(
        lib, lib.Command(update=[("state", "x"), ("state", "y")])
    ).invoke(START_STATE),
    "concurrent-update-in-subgraph": lambda lib: _in_subgraph(lib).invoke(START_STATE),
    "recursion-limit": lambda lib: _looping(lib).invoke(START_STATE, {"recursion_limit": 5}),
    "recursion-limit-stream": lambda lib: list(_looping(lib).stream(START_STATE, {"recursion_limit": 3})),
    "returned-str": lambda lib: _returning(lib, "oops").invoke(START_STATE),
    "returned-list": lambda lib: _returning(lib, [1, 2]).invoke(START_STATE),
    "returned-tuple": lambda lib: _returning(lib, ("state", "x")).invoke(START_STATE),
    "input-none": lambda lib: _looping(lib).invoke(None),
    "input-none-stream": lambda lib: list(_looping(lib).stream(None)),
    "input-int": lambda lib: _looping(lib).invoke(5),
    "input-list": lambda lib: _looping(lib).invoke([1]),
    "path-map-miss": lambda lib: _bad_path_map(lib).invoke(START_STATE),
    "async-node-in-invoke": lambda lib: _async_node(lib).invoke(START_STATE),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_error_text_and_type_are_langgraphs(case: str) -> None:
    def failure(lib: Lib) -> BaseException:
        with pytest.raises(Exception) as info:
            ERROR_CASES[case](lib)
        return info.value

    nb, lg = both(failure)
    assert type(nb).__name__ == type(lg).__name__
    assert isinstance(nb, type(lg).__mro__[1])  # the same built-in base (RecursionError, KeyError, ...)
    assert str(nb) == str(lg)


def test_error_details_are_notes() -> None:
    with pytest.raises(Exception) as info:
        _two_writers(NB).invoke(START_STATE)
    assert info.value.__notes__ == [
        "step 1 wrote key 'state' 2 times (from 'a', 'b'); give it a reducer to merge parallel writes, "
        "e.g. Annotated[list, operator.add]"
    ]
    with pytest.raises(Exception) as info:
        _looping(NB).invoke(START_STATE, {"recursion_limit": 5})
    assert "in graph 'LangGraph' after step 5 (next nodes: ['a'])" in info.value.__notes__[0]
    with pytest.raises(Exception) as info:
        _returning(NB, "oops").invoke(START_STATE)
    assert info.value.__notes__ == [
        "node 'a' returned str ('oops'); expected a dict of state updates, None, a Command, or a list of Commands",
        "while running node 'a' at step 1",
    ]
    with pytest.raises(KeyError) as key_info:
        _bad_path_map(NB).invoke(START_STATE)
    assert "not a key of its path_map ['x']" in key_info.value.__notes__[0]


def test_async_node_under_invoke_fails_as_a_task_after_its_siblings_ran(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def run(lib: Lib) -> tuple[str, str]:
        async def slow(state: Any) -> dict[str, Any]:
            return {"log": [1]}

        def loud(name: str) -> Any:
            def node(state: Any) -> dict[str, Any]:
                print(f"node {name}")
                return {"log": [2]}

            return node

        builder = (
            lib.StateGraph(ErrState).add_node("a", loud("a")).add_node("b", loud("b")).add_node("c", slow)
        )
        for name in "abc":
            builder.add_edge(lib.START, name)
        with pytest.raises(TypeError) as info:
            builder.compile().invoke(START_STATE)
        return str(info.value), capsys.readouterr().out

    nb, lg = both(run)
    assert nb == lg == (lg[0], "node a\nnode b\n")


def test_errors_langgraph_does_not_raise_stay_errors_with_clear_words() -> None:
    """LangGraph drops writes to unknown keys and routes to unknown nodes (with a log line at most);
    nbstream refuses them, naming what was wrong and where."""
    from nbstream.errors import InvalidUpdateError, NodeInputError

    with pytest.raises(
        InvalidUpdateError, match=r"node 'a' at step 1 wrote unknown key 'nope'; the state has keys"
    ):
        _returning(NB, {"nope": 1}).invoke(START_STATE)
    route = NB.StateGraph(ErrState).add_node("a", lambda s: {"log": [1]})
    route = route.add_conditional_edges(NB.START, lambda s: "nope").add_edge("a", NB.END).compile()
    with pytest.raises(
        NodeInputError, match=r"'START' routed to unknown node 'nope' at step 0; known nodes: \['a'\]"
    ):
        route.invoke(START_STATE)
    send = NB.StateGraph(ErrState).add_node("a", lambda s: {"log": [1]})
    send = send.add_conditional_edges(NB.START, lambda s: [NB.Send("ghost", s)], ["a"]).compile()
    with pytest.raises(NodeInputError, match=r"'START' sent to unknown node 'ghost' at step 0"):
        send.invoke(START_STATE)


def test_tasks_mode_metadata_inside_a_subgraph_inherits_the_subgraph_nodes() -> None:
    def run(lib: Lib) -> list[Any]:
        inner = lib.StateGraph(ListState).add_node("n", lambda s: {"out": ["n"]}, metadata={"inner": 1})
        outer = lib.StateGraph(ListState).add_node(
            "s", inner.add_edge(lib.START, "n").compile(), metadata={"nm": 1}
        )
        graph = outer.add_edge(lib.START, "s").compile()
        return [
            (canon(ns), chunk["name"], printed(chunk["metadata"]))
            for config in (None, CONFIGS[1])
            for ns, chunk in graph.stream({"out": []}, config, stream_mode="tasks", subgraphs=True)
            if "input" in chunk
        ]

    nb, lg = both(run)
    assert nb == lg
