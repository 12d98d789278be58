"""What programs print must be LangGraph's, to the character: metadata, order, error text.

Each test runs one program on nbstream and on LangGraph 1.2.22 (or asserts LangGraph's exact
output, checked here against LangGraph too) and compares what a program would print: metadata
dicts with their key order, the order of chunks and of printed lines, ``str(e)`` of errors.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from typing import Annotated, Any, TypedDict

import pytest
from _messages_support import LG, NB, Lib
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

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
