"""LangGraph's thread API on a compiled graph: ``get_state``, its history, and ``update_state``.

They read and write the same checkpoints as runs do (see :mod:`nbstream.runtime._persist`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from nbstream._state_types import StateSnapshot
from nbstream.errors import InvalidUpdateError
from nbstream.runtime._background_saves import settle_all
from nbstream.runtime._persist import (
    INPUT,
    PULL,
    START,
    _allowing,
    aread_checkpoint,
    attach,
    layout,
    read_checkpoint,
    snapshot,
)

if TYPE_CHECKING:
    from nbstream.runtime.compiled import CompiledStateGraph

__all__ = ["get_state", "aget_state", "state_history", "astate_history", "update_state", "bulk_update"]


def _saver(graph: CompiledStateGraph, method: str) -> Any:
    saver = graph.checkpointer
    if saver is None or isinstance(saver, bool):
        error = ValueError("No checkpointer set")  # LangGraph's words
        error.add_note(
            f"{method}() reads a thread's checkpoints: compile the graph with "
            "checkpointer=InMemorySaver() (or another saver)"
        )
        raise error
    return _allowing(graph, saver)


def _address(graph: CompiledStateGraph, config: dict[str, Any]) -> tuple[CompiledStateGraph, dict[str, Any]]:
    """The graph a config's ``checkpoint_ns`` names (a subgraph's, for ``node:task|...``), and the config."""
    conf = dict((config or {}).get("configurable") or {})
    if "thread_id" not in conf:
        raise KeyError("thread_id")  # as LangGraph's savers: the config must name a thread
    conf.setdefault("checkpoint_ns", "")
    target = graph
    for segment in [s for s in conf["checkpoint_ns"].split("|") if s]:
        name = segment.split(":")[0]
        held = layout(target).held.get(name)
        if held is None:
            raise ValueError(f"Subgraph {name} not found (checkpoint_ns {conf['checkpoint_ns']!r})")
        target = held
    return target, {**config, "configurable": conf}


def get_state(graph: CompiledStateGraph, config: dict[str, Any], subgraphs: bool) -> StateSnapshot:
    saver = _saver(graph, "get_state")
    asked = config
    target, config = _address(graph, config)
    live = "checkpoint_id" not in config["configurable"]  # as LangGraph: an addressed one is a record
    return snapshot(
        target, saver, read_checkpoint(saver, config), live=live, subgraphs=subgraphs, config=asked
    )


async def aget_state(graph: CompiledStateGraph, config: dict[str, Any], subgraphs: bool) -> StateSnapshot:
    saver = _saver(graph, "aget_state")
    asked = config
    target, config = _address(graph, config)
    live = "checkpoint_id" not in config["configurable"]
    tup = await aread_checkpoint(saver, config)
    return snapshot(target, saver, tup, live=live, subgraphs=subgraphs, config=asked)


def state_history(
    graph: CompiledStateGraph, config: dict[str, Any], filter: Any, before: Any, limit: int | None
) -> Iterator[StateSnapshot]:
    saver = _saver(graph, "get_state_history")
    target, config = _address(graph, config)
    settle_all()  # a run still saving in the background: list what it saved
    for tup in saver.list(config, filter=filter, before=before, limit=limit):
        yield snapshot(target, saver, tup, live=False)


async def astate_history(
    graph: CompiledStateGraph, config: dict[str, Any], filter: Any, before: Any, limit: int | None
) -> AsyncIterator[StateSnapshot]:
    saver = _saver(graph, "aget_state_history")
    target, config = _address(graph, config)
    settle_all()
    async for tup in saver.alist(config, filter=filter, before=before, limit=limit):
        yield snapshot(target, saver, tup, live=False)


def _infer_node(graph: CompiledStateGraph, checkpoint: dict[str, Any], saved: bool) -> str:
    """As LangGraph: the node that wrote last, when that is one node; else the update is ambiguous."""
    if len(graph.nodes) == 1:
        return next(iter(graph.nodes))
    if not saved:
        return START
    latest: list[tuple[Any, str]] = sorted(
        (version, name)
        for name, seen in checkpoint["versions_seen"].items()
        if name in graph.nodes
        for version in seen.values()
    )
    if latest:
        top = latest[-1][0]
        names = {name for version, name in latest if version == top}
        if len(names) == 1:
            return names.pop()
    elif checkpoint["versions_seen"].get(START) is not None or START in checkpoint["versions_seen"]:
        return START
    raise InvalidUpdateError("Ambiguous update, specify as_node")


def update_state(
    graph: CompiledStateGraph, config: dict[str, Any], values: Any, as_node: str | None
) -> dict[str, Any]:
    """Write ``values`` to the thread as if ``as_node`` had returned them; a new ``update`` checkpoint."""
    from nbstream.bus import Bus
    from nbstream.runtime._task import Root, Task
    from nbstream.runtime.loop import Run

    saver = _saver(graph, "update_state")
    target, config = _address(graph, config)
    root = Root(Bus([]), live_custom=False, callbacks=None, user_config=config, store=graph.store)
    run = Run(target, root, tuple(s for s in config["configurable"]["checkpoint_ns"].split("|") if s), None)
    saving = attach(run, saver, config, durability="sync", before=None, after=None)
    tup = saving.load()
    if tup is not None:
        run.values = saving.restore_values()
        saving.restore_routing()
    else:
        run.step = -1  # a new thread: the update is its first checkpoint
    if as_node is None:
        as_node = _infer_node(target, saving.checkpoint, tup is not None)
    from nbstream.graph._state import fold_writes, input_to_dict

    if as_node == INPUT:  # as LangGraph: the values wait on __start__ as a run's input would
        cp = saving.checkpoint
        cp["channel_values"][START] = input_to_dict(values, target.input_info) if values is not None else {}
        cp["channel_versions"][START] = saving._next_version()
        saving.fresh.add(START)
        saving._put({"source": "input"}, (START,))
        assert saving.saved_config is not None
        return saving.saved_config
    if as_node == START:  # the values replace the input waiting on __start__, then START routes
        writes = input_to_dict(values, target.input_info) if values is not None else {}
        run.values, _ = fold_writes(target.channels, run.values, [(START, writes.items())], run.step)
        for name in target.start_edges:
            run._pulls.setdefault(name, [])
        if target.start_branches:
            run.route_start()
        saving.source = "update"
        run.step += 1
        saving._mark_seen(START, (START,))
        routed = {f"branch:to:{name}" for name in run._pulls} | ({"__pregel_tasks"} if run._sends else set())
        saving.step_done([], set(writes) | routed)
        assert saving.saved_config is not None
        return saving.saved_config
    if as_node not in target.nodes:
        raise InvalidUpdateError(f"Node {as_node} does not exist")
    node = target.nodes[as_node]
    task = Task("update", node, None, node.trigger_tuple, (PULL, as_node), (0, as_node))
    run._pulls.pop(as_node, None)
    run.step += 1
    saving.source = "update"
    if values is not None:
        run._absorb(task, values)
    else:
        task.next_nodes = []
    run.finish_step([task])
    assert saving.saved_config is not None
    return saving.saved_config


def bulk_update(
    graph: CompiledStateGraph, config: dict[str, Any], supersteps: Sequence[Sequence[Any]]
) -> dict[str, Any]:
    """``update_state`` for each update of each superstep, in order (LangGraph applies a superstep's
    updates as one step; nbstream saves one checkpoint per update, with the same resulting state)."""
    if not supersteps:
        raise ValueError("No supersteps provided")
    for step in supersteps:
        if not step:
            raise ValueError("No updates provided")
        for update in step:
            values, as_node = update[0], update[1] if len(update) > 1 else None
            config = update_state(graph, config, values, as_node)
    return config
