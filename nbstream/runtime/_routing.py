"""From a node's return value to writes and routes: the part of a step that reads what nodes said."""

from __future__ import annotations

import inspect
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from nbstream.errors import InvalidUpdateError, NodeInputError, NotSupportedError, ParentCommand
from nbstream.graph._builder import END
from nbstream.graph._state import MISSING, update_to_pairs
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
    values: dict[str, Any]

    def _absorb(self, task: Task, result: Any) -> None:
        """Turn a node's return value into writes, the ``updates`` view of it, and routes."""
        node = task.node
        goto: list[str | Send] = []
        if isinstance(result, Command):
            if result.graph is not None:
                raise self._for_parent(result, node.name)
            pairs = self._pairs(result.update, node.name, in_command=True)
            shown = _shown(result.update, pairs)
            goto.extend(_as_targets(result.goto))
        elif isinstance(result, list) and result and all(isinstance(r, Command) for r in result):
            pairs = []
            for command in result:
                pairs.extend(self._pairs(command.update, node.name, in_command=True))
                goto.extend(_as_targets(command.goto))
            shown = _shown(None, pairs)
        else:
            pairs = self._pairs(result, node.name)
            shown = result if pairs else None
        task.writes = pairs
        task.update = shown
        task.next_nodes = list(node.edges)
        for branch in node.branches:
            state = self._local_state(pairs, node)
            self._route(branch, state, node.name, task.next_nodes, task.sends)
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

    def _local_state(self, pairs: list[tuple[str, Any]], node: NodeRuntime) -> Any:
        """The state as this task sees it after its own writes, in the shape of the node's input
        schema (as LangGraph, a router reads what its source node reads)."""
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
        if node.managed_input is not None:
            return node.managed_input(values, self.step, self.root.recursion_limit)
        return node.to_input(values)

    def _route(self, branch: Any, state: Any, source: str, pulls: Any, sends: list[Send]) -> None:
        result = branch.path(state)
        if inspect.isawaitable(result):
            close = getattr(result, "close", None)
            if close is not None:
                close()
            raise TypeError(
                f"the router after {source!r} is async; nbstream runs routers synchronously. "
                f"Make it a plain function."
            )
        targets = result if isinstance(result, list | tuple) else [result]
        for target in targets:
            if branch.path_map is not None and not isinstance(target, Send):
                try:
                    target = branch.path_map[target]
                except (KeyError, TypeError):
                    raise NodeInputError(
                        f"the router after {source!r} returned {target!r}, which is not a key of its "
                        f"path_map {sorted(map(str, branch.path_map))}"
                    ) from None
            self._add_target(target, source, pulls, sends)

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
