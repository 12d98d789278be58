"""The rest of LangGraph's ``CompiledStateGraph`` surface: what nbstream has, and loud refusals for the rest.

Ported code touches more of a compiled graph than ``invoke`` and ``stream``: attributes such as
``checkpointer`` or ``context_schema``, the cache, the subgraphs, and the persistence methods
(``get_state``, ``update_state``...). nbstream answers each of them as LangGraph does, or raises
:class:`~nbstream.errors.NotSupportedError` naming the method and what to do instead, never a
bare ``AttributeError`` that hides what is missing. ``tests/test_signatures.py`` walks every public
attribute of LangGraph's compiled graphs, so a name LangGraph adds fails the suite until it is
answered here. (There is deliberately no ``__getattr__`` fallback: a class with one makes every
attribute read on the graph slower, and the runner reads the graph's attributes at every step.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from nbstream.errors import NotSupportedError

if TYPE_CHECKING:
    from nbstream.runtime._node import NodeRuntime

__all__ = ["GraphSurface"]


class GraphSurface:
    """Mixed into ``CompiledStateGraph``: LangGraph's attributes and methods beyond running."""

    __slots__ = ()
    nodes: dict[str, NodeRuntime]
    cache: Any
    builder: Any

    #: LangGraph's defaults (a compiled graph sets its own checkpointer)
    store: Any = None
    config: Any = None
    retry_policy: tuple[Any, ...] = ()
    cache_policy: Any = None
    step_timeout: float | None = None
    stream_mode: str = "values"
    stream_eager: bool = False

    @property
    def context_schema(self) -> Any:
        return self.builder.context_schema

    # -- the cache ---------------------------------------------------------------------------
    def clear_cache(self, nodes: Sequence[str] | None = None) -> None:
        """Forget the cached writes of ``nodes`` (default: every node with a cache policy)."""
        namespaces = self._cache_namespaces(nodes)
        if namespaces is not None:
            self.cache.clear(namespaces)

    async def aclear_cache(self, nodes: Sequence[str] | None = None) -> None:
        """Async :meth:`clear_cache`."""
        namespaces = self._cache_namespaces(nodes)
        if namespaces is not None:
            await self.cache.aclear(namespaces)

    def _cache_namespaces(self, nodes: Sequence[str] | None) -> list[tuple[str, ...]] | None:
        if self.cache is None:
            raise ValueError("No cache is set for this graph. Cannot clear cache.")
        from nbstream.runtime._policies import cache_namespace

        names = list(self.nodes) if nodes is None else list(nodes)
        for name in names:
            if name not in self.nodes:
                raise ValueError(f"clear_cache: unknown node {name!r}; known nodes: {sorted(self.nodes)}")
        return [cache_namespace(self.nodes[n]) for n in names if self.nodes[n].cache_policy is not None]

    # -- subgraphs ---------------------------------------------------------------------------
    def get_subgraphs(
        self, *, namespace: str | None = None, recurse: bool = False
    ) -> Iterator[tuple[str, Any]]:
        """The subgraph nodes as ``(name, compiled graph)``; ``recurse`` adds theirs as ``a|b``.

        A node's subgraph is found as LangGraph finds it (and as ``get_graph(xray=...)`` draws
        it): a compiled graph given as the node, or one its function refers to; one compiled with
        ``checkpointer=False`` is not listed. ``namespace`` (``"a"`` or, with ``recurse``,
        ``"a|b"``) picks the one subgraph at that path.
        """
        from nbstream.runtime._drawable import drawn_subgraphs

        for name, sub in drawn_subgraphs(self):  # type: ignore[arg-type]
            if namespace is not None and namespace != name and not namespace.startswith(name + "|"):
                continue
            if namespace == name:
                yield name, sub
                return
            if namespace is None:
                yield name, sub
            if recurse:
                inner = None if namespace is None else namespace[len(name) + 1 :]
                for path, graph in sub.get_subgraphs(namespace=inner, recurse=True):
                    yield f"{name}|{path}", graph

    async def aget_subgraphs(
        self, *, namespace: str | None = None, recurse: bool = False
    ) -> AsyncIterator[tuple[str, Any]]:
        """Async :meth:`get_subgraphs`."""
        for item in self.get_subgraphs(namespace=namespace, recurse=recurse):
            yield item

    # -- threads (see nbstream.runtime._threads) -------------------------------------------------
    def get_state(self, config: Any, *, subgraphs: bool = False) -> Any:
        """The thread's current state: LangGraph's ``StateSnapshot`` of its latest checkpoint."""
        from nbstream.runtime._threads import get_state

        return get_state(self, config, subgraphs)  # type: ignore[arg-type]

    async def aget_state(self, config: Any, *, subgraphs: bool = False) -> Any:
        """Async :meth:`get_state` (uses the saver's async methods)."""
        from nbstream.runtime._threads import aget_state

        return await aget_state(self, config, subgraphs)  # type: ignore[arg-type]

    def get_state_history(
        self,
        config: Any,
        *,
        filter: dict[str, Any] | None = None,
        before: Any = None,
        limit: int | None = None,
    ) -> Iterator[Any]:
        """The thread's checkpoints as ``StateSnapshot`` values, newest first."""
        from nbstream.runtime._threads import state_history

        return state_history(self, config, filter, before, limit)  # type: ignore[arg-type]

    def aget_state_history(
        self,
        config: Any,
        *,
        filter: dict[str, Any] | None = None,
        before: Any = None,
        limit: int | None = None,
    ) -> AsyncIterator[Any]:
        """Async :meth:`get_state_history`."""
        from nbstream.runtime._threads import astate_history

        return astate_history(self, config, filter, before, limit)  # type: ignore[arg-type]

    def update_state(
        self, config: Any, values: Any, as_node: str | None = None, task_id: str | None = None
    ) -> Any:
        """Write ``values`` as if node ``as_node`` returned them; returns the new checkpoint's config."""
        from nbstream.runtime._threads import update_state

        if task_id is not None:
            raise NotSupportedError("update_state(task_id=...) is not supported by nbstream; leave it out")
        return update_state(self, config, values, as_node)  # type: ignore[arg-type]

    async def aupdate_state(
        self, config: Any, values: Any, as_node: str | None = None, task_id: str | None = None
    ) -> Any:
        """Async :meth:`update_state` (the saver's sync methods, in a worker thread: async savers
        accept them from a thread other than their event loop's)."""
        import asyncio

        return await asyncio.to_thread(self.update_state, config, values, as_node, task_id)

    def bulk_update_state(self, config: Any, supersteps: Sequence[Sequence[Any]]) -> Any:
        """Apply ``supersteps`` of ``StateUpdate`` values in order; the last checkpoint's config."""
        from nbstream.runtime._threads import bulk_update

        return bulk_update(self, config, supersteps)  # type: ignore[arg-type]

    async def abulk_update_state(self, config: Any, supersteps: Sequence[Sequence[Any]]) -> Any:
        """Async :meth:`bulk_update_state` (in a worker thread, as :meth:`aupdate_state`)."""
        import asyncio

        return await asyncio.to_thread(self.bulk_update_state, config, supersteps)

    # -- LangGraph's Pregel internals a program may still touch --------------------------------------
    @property
    def stream_channels(self) -> list[str]:
        """The keys ``values`` chunks carry (every channel), as LangGraph's attribute."""
        return list(self.builder.channels)

    @property
    def stream_channels_asis(self) -> list[str]:
        return list(self.builder.channels)

    @property
    def stream_channels_list(self) -> list[str]:
        return list(self.builder.channels)

    def validate(self) -> Any:
        """The graph was checked when it was compiled; as LangGraph's, this returns the graph."""
        return self

    def copy(self, update: dict[str, Any] | None = None) -> Any:
        """A shallow copy of the compiled graph with the attributes in ``update`` replaced."""
        import copy

        clone = copy.copy(self)
        for key, value in (update or {}).items():
            setattr(clone, key, value)
        return clone

    def attach_node(self, key: str, node: Any) -> None:
        raise _internal("attach_node")

    def attach_edge(self, starts: Any, end: str) -> None:
        raise _internal("attach_edge")

    def attach_branch(self, start: str, name: str, branch: Any, *, with_reader: bool = True) -> None:
        raise _internal("attach_branch")


def _internal(method: str) -> NotSupportedError:
    return NotSupportedError(
        f"CompiledStateGraph.{method}() is LangGraph's compile-time internal, which nbstream does not "
        "have: add nodes and edges to the StateGraph and compile it again"
    )
