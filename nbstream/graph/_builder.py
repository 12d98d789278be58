"""``StateGraph``: the builder. It records nodes and edges and checks them at ``compile()``."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from nbstream.errors import GraphBuildError
from nbstream.graph._state import Channel, SchemaInfo, schema_info

__all__ = ["StateGraph", "START", "END", "NodeSpec", "Branch"]

START = "__start__"
END = "__end__"
_RESERVED = (START, END)


@dataclass(slots=True)
class NodeSpec:
    """A node as added: its callable (or compiled subgraph) and user metadata."""

    name: str
    action: Any
    metadata: dict[str, Any]
    input_schema: Any = None


@dataclass(slots=True)
class Branch:
    """A conditional edge: ``path(state)`` picks the next node(s), optionally through ``path_map``."""

    source: str
    path: Callable[..., Any]
    path_map: dict[Hashable, str] | None
    ends: tuple[str, ...] = field(default=())


class StateGraph:
    """Build a graph whose nodes read and update a shared state.

    ``schema`` (a TypedDict, dataclass or pydantic model) declares the state keys; a key annotated
    ``Annotated[T, reducer]`` merges writes with ``reducer``, a plain key keeps the last write.
    ``input_schema`` / ``output_schema`` restrict what ``invoke`` takes and returns.
    """

    def __init__(
        self,
        state_schema: Any,
        context_schema: Any = None,
        *,
        input_schema: Any = None,
        output_schema: Any = None,
    ) -> None:
        self.state_schema = state_schema
        self.state_info, channels = schema_info(state_schema)
        self.input_info = self.state_info
        self.output_info = self.state_info
        self.channels: dict[str, Channel] = dict(channels)
        if input_schema is not None:
            self.input_info, extra = schema_info(input_schema)
            for key, channel in extra.items():
                self.channels.setdefault(key, channel)
        if output_schema is not None:
            self.output_info, extra = schema_info(output_schema)
            for key, channel in extra.items():
                self.channels.setdefault(key, channel)
        self.context_schema = context_schema
        self.nodes: dict[str, NodeSpec] = {}
        self.edges: list[tuple[str, str]] = []
        self.joins: list[tuple[tuple[str, ...], str]] = []
        self.branches: list[Branch] = []

    # -- nodes -------------------------------------------------------------------------------
    def add_node(
        self,
        node: str | Callable[..., Any] | Any,
        action: Any = None,
        *,
        metadata: dict[str, Any] | None = None,
        input_schema: Any = None,
        **_ignored: Any,
    ) -> StateGraph:
        """Add a node: ``add_node(fn)`` names it after the function, ``add_node(name, fn)`` explicitly.

        ``fn`` may be sync or async, may declare ``config`` and/or ``writer`` parameters (injected
        by name), or may be a compiled graph, which then runs as a subgraph.
        """
        if action is None:
            if isinstance(node, str):
                raise GraphBuildError(f"add_node({node!r}) needs an action: add_node(name, function)")
            action = node
            name = _name_of(node)
        elif isinstance(node, str):
            name = node
        else:
            raise GraphBuildError(f"add_node's first argument must be a name or a callable; got {node!r}")
        if not callable(action) and not hasattr(action, "invoke"):
            raise GraphBuildError(f"node {name!r}: action {action!r} is not callable")
        if name in _RESERVED:
            raise GraphBuildError(f"node name {name!r} is reserved; pick another name")
        if not name or any(ch in name for ch in "|:"):
            raise GraphBuildError(f"node name {name!r} is invalid: it must be non-empty, without '|' or ':'")
        if name in self.nodes:
            raise GraphBuildError(f"node {name!r} is already in the graph; node names must be unique")
        self.nodes[name] = NodeSpec(name, action, dict(metadata or {}), input_schema)
        return self

    def add_sequence(self, nodes: Sequence[Callable[..., Any] | tuple[str, Any]]) -> StateGraph:
        """Add nodes and chain them with edges, in order."""
        if not nodes:
            raise GraphBuildError("add_sequence needs at least one node")
        previous: str | None = None
        for item in nodes:
            if isinstance(item, tuple):
                name, action = item
                self.add_node(name, action)
            else:
                name = _name_of(item)
                self.add_node(name, item)
            if previous is not None:
                self.add_edge(previous, name)
            previous = name
        return self

    # -- edges -------------------------------------------------------------------------------
    def add_edge(self, start_key: str | Sequence[str], end_key: str) -> StateGraph:
        """Add an edge; ``add_edge([a, b], c)`` is a join: ``c`` runs once both ``a`` and ``b`` ran."""
        if isinstance(start_key, str):
            if start_key == END:
                raise GraphBuildError("END cannot be the start of an edge")
            if end_key == START:
                raise GraphBuildError("START cannot be the end of an edge")
            self.edges.append((start_key, end_key))
            return self
        sources = tuple(start_key)
        if not sources:
            raise GraphBuildError(f"add_edge([...], {end_key!r}): the list of sources is empty")
        if START in sources or END in sources or end_key in (START, END):
            raise GraphBuildError(f"a join edge {list(sources)!r} -> {end_key!r} cannot involve START or END")
        self.joins.append((sources, end_key))
        return self

    def add_conditional_edges(
        self,
        source: str,
        path: Callable[..., Any],
        path_map: dict[Hashable, str] | Sequence[str] | None = None,
    ) -> StateGraph:
        """After ``source``, call ``path(state)`` to choose the next node(s), ``END``, or ``Send``s."""
        if not callable(path):
            raise GraphBuildError(f"add_conditional_edges({source!r}, ...): path {path!r} is not callable")
        mapping: dict[Hashable, str] | None
        if path_map is None:
            mapping = None
        elif isinstance(path_map, dict):
            mapping = dict(path_map)
        else:
            mapping = {name: name for name in path_map}
        self.branches.append(Branch(source, path, mapping))
        return self

    def set_entry_point(self, key: str) -> StateGraph:
        return self.add_edge(START, key)

    def set_conditional_entry_point(
        self, path: Callable[..., Any], path_map: dict[Hashable, str] | Sequence[str] | None = None
    ) -> StateGraph:
        return self.add_conditional_edges(START, path, path_map)

    def set_finish_point(self, key: str) -> StateGraph:
        return self.add_edge(key, END)

    # -- compile -----------------------------------------------------------------------------
    def validate(self) -> None:
        """Raise :class:`GraphBuildError` naming the first problem found in the graph."""
        known = set(self.nodes)
        for source, target in self.edges:
            if source != START and source not in known:
                raise GraphBuildError(f"edge {source!r} -> {target!r}: unknown source node {source!r}")
            if target != END and target not in known:
                raise GraphBuildError(f"edge {source!r} -> {target!r}: unknown target node {target!r}")
        for sources, target in self.joins:
            for s in sources:
                if s not in known:
                    raise GraphBuildError(f"join edge {list(sources)!r} -> {target!r}: unknown node {s!r}")
            if target not in known:
                raise GraphBuildError(f"join edge {list(sources)!r} -> {target!r}: unknown node {target!r}")
        for branch in self.branches:
            if branch.source != START and branch.source not in known:
                raise GraphBuildError(f"conditional edge from unknown node {branch.source!r}")
            if branch.path_map is not None:
                for value in branch.path_map.values():
                    if value != END and value not in known:
                        raise GraphBuildError(
                            f"conditional edge from {branch.source!r}: path_map names unknown node "
                            f"{value!r}; known nodes: {sorted(known)}"
                        )
        if not any(s == START for s, _ in self.edges) and not any(b.source == START for b in self.branches):
            raise GraphBuildError(
                "the graph has no entry point: add an edge from START, e.g. add_edge(START, "
                f"{next(iter(self.nodes), 'first_node')!r})"
            )
        reachable = self._reachable()
        for name in self.nodes:
            if name not in reachable:
                raise GraphBuildError(
                    f"node {name!r} cannot be reached from START: add an edge into it, or a conditional "
                    f"edge whose path_map (or return-type Literal) names it, or a node annotated "
                    f"-> Command[Literal[{name!r}]] that goes there"
                )

    def _reachable(self) -> set[str]:
        successors: dict[str, set[str]] = {}
        for s, t in self.edges:
            successors.setdefault(s, set()).add(t)
        for sources, t in self.joins:
            for s in sources:
                successors.setdefault(s, set()).add(t)
        dynamic_sources: set[str] = set()
        for branch in self.branches:
            targets = branch_targets(branch)
            if targets is None:
                dynamic_sources.add(branch.source)
            else:
                successors.setdefault(branch.source, set()).update(targets)
        for spec in self.nodes.values():
            goto = command_targets(spec.action)
            if goto is None:
                dynamic_sources.add(spec.name)
            elif goto:
                successors.setdefault(spec.name, set()).update(goto)
        seen: set[str] = set()
        todo = [START]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            if current in dynamic_sources:
                # a router with no path_map/Literal hint, or a bare `-> Command` node: it can go anywhere
                return set(self.nodes) | seen
            todo.extend(successors.get(current, ()))
        return seen

    def compile(self, *, name: str | None = None, **_options: Any) -> Any:
        """Check the graph and return a runnable :class:`~nbstream.graph.CompiledStateGraph`."""
        from nbstream.runtime.compiled import CompiledStateGraph

        self.validate()
        graph = CompiledStateGraph(self, name or "LangGraph")
        debug = _options.get("debug")
        if debug is None:  # as LangGraph: langchain-core's set_debug(True) turns it on for all graphs
            from langchain_core.globals import get_debug

            debug = get_debug()
        graph.debug = bool(debug)
        return graph


def branch_targets(branch: Branch) -> tuple[str, ...] | None:
    """The nodes a branch may lead to, when known statically (path_map or a Literal return hint)."""
    if branch.path_map is not None:
        return tuple(branch.path_map.values())
    try:
        hint = inspect.signature(branch.path).return_annotation
    except (TypeError, ValueError):
        return None
    import typing

    if isinstance(hint, str):
        try:
            hint = typing.get_type_hints(branch.path).get("return", inspect.Signature.empty)
        except Exception:
            return None
    if typing.get_origin(hint) is typing.Literal:
        return tuple(str(a) for a in typing.get_args(hint))
    return None


def command_targets(action: Any) -> tuple[str, ...] | None:
    """Where a node may go by ``Command(goto=...)``, from its return annotation.

    ``()`` when it does not declare a Command return, the Literal's names for
    ``Command[Literal["a", "b"]]``, ``None`` (anywhere) for a bare ``Command``.
    """
    import typing

    try:
        hint = typing.get_type_hints(action).get("return")
    except Exception:  # unresolvable or absent hints: fall back to the raw annotation
        try:
            hint = inspect.signature(action).return_annotation
        except (TypeError, ValueError):
            return ()
    from nbstream.types import Command

    if hint is Command or (isinstance(hint, str) and hint.startswith("Command")):
        return None
    if typing.get_origin(hint) is Command:
        (arg,) = typing.get_args(hint)
        if typing.get_origin(arg) is typing.Literal:
            return tuple(str(a) for a in typing.get_args(arg))
        return None
    return ()


def _name_of(action: Any) -> str:
    name = getattr(action, "name", None) or getattr(action, "__name__", None)
    if not isinstance(name, str):
        raise GraphBuildError(f"cannot infer a node name from {action!r}; use add_node(name, action)")
    return name


def _channels_for(info: SchemaInfo) -> tuple[str, ...]:
    return info.keys
