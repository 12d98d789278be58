"""From a node's return value to writes and routes: the part of a step that reads what nodes said."""

from __future__ import annotations

import inspect
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from nbstream._error_text import noted
from nbstream.errors import InvalidUpdateError, NodeInputError, NotSupportedError, ParentCommand
from nbstream.graph._builder import END, Branch
from nbstream.graph._injection import Injects, injectable
from nbstream.graph._state import MISSING, update_to_pairs
from nbstream.runtime._context import CURRENT_TASK
from nbstream.runtime._task import Root, Task
from nbstream.types import Command, Send

if TYPE_CHECKING:
    from nbstream.runtime._node import NodeRuntime
    from nbstream.runtime.compiled import CompiledStateGraph

__all__ = ["Routing"]


class Routing:
    """Mixed into :class:`~nbstream.runtime.loop.Run`: turns task results into writes and routes."""

    __slots__ = ()
    graph: CompiledStateGraph
    ns: tuple[str, ...]
    root: Root
    step: int
    parent_config: dict[str, Any] | None
    values: dict[str, Any]

    def _absorb(self, task: Task, result: Any, route: bool = True) -> None:
        """Turn a node's return value into writes, the ``updates`` view of it, and routes.

        ``route=False`` leaves the node's routers to the caller (the async path awaits them).
        """
        node = task.node
        goto: list[str | Send] = []
        if isinstance(result, Command):
            if result.graph is not None:
                raise self._for_parent(result, node.name)
            if result.resume is not None:
                raise NotSupportedError(
                    f"node {node.name!r} returned {result!r}: Command(resume=...) answers an interrupt "
                    "from outside the run (graph.invoke(Command(resume=...), config)); nbstream does "
                    "not take it as a node's return value"
                )
            pairs = self._pairs(result.update, node.name, in_command=True)
            shown = _shown(result.update, pairs)
            goto.extend(_as_targets(result.goto))
        elif isinstance(result, list) and result and any(isinstance(r, Command) for r in result):
            # Commands mixed with plain updates (what a ToolNode returns when a tool returned a
            # Command): each item's writes in order; the first Command for the parent graph wins
            pairs = []
            for item in result:
                if not isinstance(item, Command):
                    pairs.extend(self._pairs(item, node.name))
                    continue
                if item.graph is not None:
                    raise self._for_parent(item, node.name)
                pairs.extend(self._pairs(item.update, node.name, in_command=True))
                goto.extend(_as_targets(item.goto))
            shown = _shown(None, pairs)
        else:
            pairs = self._pairs(result, node.name)
            shown = result if pairs else None
        task.writes = pairs
        task.update = shown
        task.next_nodes = list(node.edges)
        if route and node.branches:
            try:
                for branch in node.branches:
                    state = self._local_state(pairs, node, branch)
                    self._route(branch, state, node.name, task.next_nodes, task.sends)
            except BaseException:
                task.routing = True
                raise
        for target in goto:
            self._add_target(target, node.name, task.next_nodes, task.sends)

    def _for_parent(self, command: Command[Any], node: str) -> BaseException:
        """The signal that carries ``Command(graph=Command.PARENT)`` up to the enclosing graph."""
        if command.graph != Command.PARENT:
            return NotSupportedError(
                f"node {node!r} returned Command(graph={command.graph!r}); nbstream supports "
                f"graph=None (this graph) and graph=Command.PARENT only"
            )
        ns = list(self.ns)
        if not ns:  # the root graph has no parent: LangGraph lets the command escape as an error
            return ParentCommand(replace(command, graph=None))
        # this graph's namespace is its parent's plus the calling task's segment, plus a call number
        # for a 2nd call in one task; the parent's own namespace may end in a call number: keep it
        while ns and ns[-1].isdigit():
            ns.pop()
        ns.pop()
        return ParentCommand(replace(command, graph="|".join(ns)))

    def _pairs(self, update: Any, node: str, *, in_command: bool = False) -> list[tuple[str, Any]]:
        pairs = update_to_pairs(update, node, in_command=in_command)
        if not pairs:
            return []
        channels = self.graph.channels
        for key, _ in pairs:
            if key not in channels:
                raise InvalidUpdateError(
                    f"node {node!r} at step {self.step} wrote unknown key {key!r}; the state has keys "
                    f"{sorted(channels)}"
                )
        return pairs

    def _local_state(self, pairs: list[tuple[str, Any]], node: NodeRuntime, branch: Branch) -> Any:
        """The state as this task sees it after its own writes, in the shape of the router's own
        input hint, else of the node's input schema (as LangGraph: a router reads what its source
        node reads, unless its first parameter says otherwise)."""
        values = self.values
        if pairs:
            values = dict(values)
            channels = self.graph.channels
            for key, value in pairs:
                channel = channels[key]
                current = values.get(key, MISSING)
                values[key] = (
                    value
                    if channel.reducer is None or current is MISSING
                    else channel.fold(current, (value,), ("",), self.step)
                )
        info = branch.input_info
        if info is not None:
            if info.managed:
                return info.to_managed_input(values, self.step, self.root.recursion_limit)
            return info.to_node_input(values)
        if node.managed_input is not None:
            return node.managed_input(values, self.step, self.root.recursion_limit)
        return node.to_input(values)

    def _call_router(self, branch: Branch, state: Any, source: str) -> Any:
        injects = branch.injects
        if injects is None:
            injects = branch.injects = injectable(branch.path)
        if any(injects):
            return branch.path(state, **self._router_kwargs(injects, source))
        return branch.path(state)

    def _route(self, branch: Branch, state: Any, source: str, pulls: Any, sends: list[Send]) -> None:
        result = self._call_router(branch, state, source)
        if inspect.isawaitable(result):
            close = getattr(result, "close", None)
            if close is not None:
                close()
            name = getattr(branch.path, "__name__", "router")
            raise TypeError(
                f'No synchronous function provided to "{name}".\nEither initialize with a synchronous '
                f"function or invoke via the async API (ainvoke, astream, etc.)"
            )
        self._route_to(branch, result, source, pulls, sends)

    async def _aroute(self, branch: Any, state: Any, source: str, pulls: Any, sends: list[Send]) -> None:
        """:meth:`_route` for async runs: an ``async def`` router is awaited."""
        result = self._call_router(branch, state, source)
        if inspect.isawaitable(result):
            result = await result
        self._route_to(branch, result, source, pulls, sends)

    async def _aroute_task(self, task: Task) -> None:
        """Run a node's routers after ``_absorb(task, result, route=False)``, awaiting async ones."""
        node = task.node
        try:
            for branch in node.branches:
                state = self._local_state(task.writes, node, branch)
                if branch.is_async:
                    await self._aroute(branch, state, node.name, task.next_nodes, task.sends)
                else:
                    self._route(branch, state, node.name, task.next_nodes, task.sends)
        except BaseException:
            task.routing = True
            raise

    def _route_to(self, branch: Any, result: Any, source: str, pulls: Any, sends: list[Send]) -> None:
        """Add the targets a router returned (through its path_map) to ``pulls``/``sends``."""
        targets = result if isinstance(result, list | tuple) else [result]
        for target in targets:
            if branch.path_map is not None and not isinstance(target, Send):
                try:
                    target = branch.path_map[target]
                except (KeyError, TypeError):
                    # LangGraph's error: the KeyError of the lookup
                    raise noted(
                        KeyError(target),
                        f"the router after {source!r} returned {target!r}, which is not a key of its "
                        f"path_map {sorted(map(str, branch.path_map))}",
                    ) from None
            self._add_target(target, source, pulls, sends)

    def _router_kwargs(self, injects: Injects, source: str) -> dict[str, Any]:
        """The ``config``, ``writer``, ``runtime``, ``store`` and ``previous`` a router takes, as a node
        gets them (see nbstream.graph._injection for which annotations are filled).

        A router after a node runs inside that node's task and gets the task's. A router from
        START runs before any task: it gets the run's config and a runtime with the run's context;
        it has no task whose custom data a writer could stream, so asking for one is refused.
        """
        from nbstream.runtime._runtime import Runtime, runtime_of

        wants_config, wants_writer, wants_runtime, wants_store, wants_previous = injects
        kwargs: dict[str, Any] = {}
        if wants_previous:  # the functional API's previous return: none in a graph
            kwargs["previous"] = None
        ctx = CURRENT_TASK.get()
        if ctx is not None and ctx.run is self:
            if wants_config:
                kwargs["config"] = ctx.config or ctx.run.task_config(ctx.task)
            if wants_writer:
                kwargs["writer"] = ctx.writer
            if wants_runtime:
                kwargs["runtime"] = runtime_of(ctx)
            if wants_store:
                kwargs["store"] = self.root.store
            return kwargs
        if wants_writer:
            raise NotSupportedError(
                f"the router from {source} takes a 'writer' parameter; nbstream runs routers from "
                f"START before any task, so there is no task to stream custom data from. Call the "
                f"writer in a node instead."
            )
        if wants_config:
            base = self.parent_config if self.parent_config is not None else self.root.user_config
            kwargs["config"] = {**base, "recursion_limit": self.root.recursion_limit}
        if wants_runtime:
            kwargs["runtime"] = Runtime(context=self.root.context, store=self.root.store)
        if wants_store:
            kwargs["store"] = self.root.store
        return kwargs

    def _add_target(self, target: Any, source: str, pulls: Any, sends: list[Send]) -> None:
        if isinstance(target, Send):
            if target.node not in self.graph.nodes:
                raise NodeInputError(
                    f"{source!r} sent to unknown node {target.node!r} at step {self.step}; known nodes: "
                    f"{sorted(self.graph.nodes)}"
                )
            sends.append(target)
            return
        if target is None or target == END:
            return
        if not isinstance(target, str) or target not in self.graph.nodes:
            raise NodeInputError(
                f"{source!r} routed to unknown node {target!r} at step {self.step}; known nodes: "
                f"{sorted(self.graph.nodes)} (or END)"
            )
        if isinstance(pulls, dict):
            pulls.setdefault(target, [])
        elif target not in pulls:
            pulls.append(target)


def _as_targets(goto: Any) -> list[str | Send]:
    if not goto:
        return []
    if isinstance(goto, str | Send):
        return [goto]
    return list(goto)


def _shown(update: Any, pairs: list[tuple[str, Any]]) -> Any:
    """What ``updates`` shows for a Command's update: the dict, or one dict per write if a key repeats."""
    if not pairs:
        return None
    if isinstance(update, dict):
        return update
    keys = [k for k, _ in pairs]
    if len(set(keys)) < len(keys):
        return [{k: v} for k, v in pairs]
    return dict(pairs)
