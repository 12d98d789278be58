"""What the caller asked LangGraph for, and how each raw part becomes the chunk the caller gets.

The wrapper always asks LangGraph for raw ``(ns, mode, payload)`` triples (``version="v1"``, a list
of modes, ``subgraphs=True``): the one form every other shape is made from. :class:`CallerShape`
keeps the caller's own ``stream_mode``/``subgraphs``/``version``/``print_mode`` and turns a raw part
into exactly what ``lg_graph.stream(...)`` with those arguments yields, or into nothing when that
call would not have yielded it. It follows LangGraph 1.2.22's output rules: a mode is streamed
when ``mode in stream_mode`` (a *list* of modes tags chunks, a tuple does not), ``subgraphs``
prefixes the namespace, ``version="v2"`` gives ``{"type", "ns", "data"}`` dicts whose ``values``
parts carry their interrupts apart and whose state is coerced to the output schema.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["CallerShape", "SKIP", "VIEW_MODES"]

#: the modes the views are built from (``checkpoints`` is added when the graph has a saver;
#: ``custom`` and ``messages`` when it can make them: see ``_probe``)
VIEW_MODES = ("values", "updates", "tasks")

_INTERRUPT = "__interrupt__"
_TASK_ID_KEY = "checkpoint_task_id"  # LangGraph's CONFIG_KEY_TASK_ID: set when run as a node


class _Skip:
    """The caller's own stream would not have yielded this part."""


SKIP = _Skip()


class CallerShape:
    """The caller's stream arguments, and the projection of raw parts onto them."""

    __slots__ = (
        "modes",
        "output_mapper",
        "print_modes",
        "state_mapper",
        "stream_mode",
        "subgraphs",
        "tagged",
        "v2",
    )

    def __init__(
        self,
        graph: Any,
        config: dict[str, Any] | None,
        stream_mode: Any,
        subgraphs: bool,
        version: str,
        print_mode: Any,
        debug: bool | None,
    ) -> None:
        if version not in ("v1", "v2"):
            raise ValueError(f"version must be 'v1' or 'v2', got {version!r}")
        if stream_mode is None:  # LangGraph's default: values when run as a node, else the graph's
            conf = (config or {}).get("configurable", {})
            stream_mode = "values" if _TASK_ID_KEY in conf else graph.stream_mode
        self.stream_mode: str | Sequence[str] = stream_mode
        self.modes: tuple[str, ...] = (stream_mode,) if isinstance(stream_mode, str) else tuple(stream_mode)
        self.tagged = isinstance(stream_mode, list)
        self.subgraphs = bool(subgraphs)
        self.v2 = version == "v2"
        if debug:  # (a graph compiled with debug=True prints by itself, in LangGraph)
            print_mode = ["updates", "values"]
        self.print_modes: tuple[str, ...] = (
            (print_mode,) if isinstance(print_mode, str) else tuple(print_mode or ())
        )
        self.output_mapper: Callable[[Any], Any] | None = getattr(graph, "_output_mapper", None)
        self.state_mapper: Callable[[Any], Any] | None = getattr(graph, "_state_mapper", None)

    def chunk(self, ns: tuple[str, ...], mode: str, payload: Any) -> Any:
        """The caller's chunk for one raw part, or :data:`SKIP`."""
        if ns and not self.subgraphs:
            return SKIP
        if self.print_modes and mode in self.print_modes:
            self._print(ns, mode, payload)
        if mode not in self.stream_mode:
            return SKIP
        if self.v2:
            return self._v2(ns, mode, payload)
        if self.subgraphs:
            return (ns, mode, payload) if self.tagged else (ns, payload)
        return (mode, payload) if self.tagged else payload

    def _v2(self, ns: tuple[str, ...], mode: str, payload: Any) -> dict[str, Any]:
        if mode == "values":
            interrupts: Any = ()
            if isinstance(payload, dict):
                interrupts = payload.pop(_INTERRUPT, ())
                if self.output_mapper is not None:
                    payload = self.output_mapper(payload)
            return {"type": mode, "ns": ns, "data": payload, "interrupts": interrupts}
        if mode in ("checkpoints", "debug") and self.state_mapper is not None:
            _coerce_state(payload, self.state_mapper)
        return {"type": mode, "ns": ns, "data": payload}

    def _print(self, ns: tuple[str, ...], mode: str, payload: Any) -> None:
        from langgraph.pregel.debug import get_bolded_text, get_colored_text

        words = [get_bolded_text(f"[{mode}]")]
        if self.subgraphs and ns:
            words.append(get_colored_text(f"[graph={ns}]", color="yellow"))
        print(" ".join([*words, repr(payload)]))


def _coerce_state(payload: Any, mapper: Callable[[Any], Any]) -> None:
    """Coerce the state in a checkpoint (or debug checkpoint) payload in place, as v2 does.

    The input checkpoint (``__start__`` next) is left alone: its state is not complete yet.
    """
    if not isinstance(payload, dict):
        return
    inner = payload.get("payload") if payload.get("type") == "checkpoint" else payload
    complete = isinstance(inner, dict) and "__start__" not in inner.get("next", ())
    if complete and isinstance(inner, dict) and isinstance(inner.get("values"), dict):
        inner["values"] = mapper(inner["values"])
