"""Normalise a recorded stream and put it in a canonical order, so two runs can be compared with ``==``.

Normalisation
    * task ids are renamed ``<node#k>``: the k-th task of that node under that parent namespace, in
      order of first appearance (in ``tasks``/``debug`` payloads and inside ``node:<id>`` namespace
      segments). Tasks of one node under one parent never run concurrently (one pull task per node
      per step), except ``Send`` workers, whose ids first appear in start events, which are emitted
      in a fixed order; so the renaming is deterministic;
    * a ``debug`` timestamp in LangGraph's exact format (``datetime.isoformat()`` in UTC: microseconds
      unless they are 0, ``+00:00``) becomes ``"<ts>"``; any other format is left as is and shows up
      as a difference;
    * an exception object becomes :class:`Err` (type name, and the message for the test's own
      ``Boom``; framework errors keep only their type name, because nbstream words its messages
      differently on purpose).

Canonical order (why a plain ``==`` on the raw sequence would be wrong)
    Tasks of one super-step run concurrently and finish in any order, so their chunks (custom
    events, ``updates``, ``tasks``/``debug`` results, and everything a subgraph they run streams)
    interleave freely, in both libraries, from run to run. Everything else is ordered. This is a
    Mazurkiewicz trace: two streams are equivalent when one becomes the other by swapping
    *adjacent independent* chunks, and each class has one canonical member, the lexicographically
    smallest linearisation of the dependency order (computed with Kahn's algorithm and a heap).

    Independence is decided from the chunks themselves. At the deepest graph level two chunks share
    (the common prefix of their namespaces), each chunk is either a *barrier* of that graph
    (``values``, task start events: emitted at fixed points of a step) or belongs to a task, named by
    (node, ``Send`` index) and, when the chunk shows it, by its step *mark* (the task's input
    ``clock``, see ``_graphgen``). Two chunks are independent only if both belong to tasks, the tasks
    are different nodes (or different ``Send`` packets of one worker), and their marks are not
    known to differ. Chunks of one task, of two steps, or around a barrier keep their order. Where
    a chunk does not show its mark (a quiet node's ``{"n": None}``, a subgraph node's output) the
    relation errs on the side of independence: the comparison gets weaker there, never flaky.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Err", "canonical", "normalise_exception"]

# datetime.isoformat(): microseconds are left out when they happen to be 0
_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$")
_BARRIER = ("B",)


@dataclass(frozen=True)
class Err:
    """An exception, compared by type name (and message, for the test's own ``Boom``)."""

    type: str
    message: str | None

    def __repr__(self) -> str:
        return f"Err({self.type}{'' if self.message is None else ': ' + self.message})"


def normalise_exception(exc: BaseException | None) -> Err | None:
    if exc is None:
        return None
    name = type(exc).__name__
    return Err(name, str(exc) if name == "Boom" else None)


class _Namer:
    """Renames task ids to ``<node#k>``, deterministically (see module docstring)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.counts: dict[tuple[tuple[str, ...], str], int] = {}

    def name(self, task_id: str, node: str, parent: tuple[str, ...]) -> str:
        if task_id not in self.names:
            k = self.counts.get((parent, node), 0) + 1
            self.counts[(parent, node)] = k
            self.names[task_id] = f"<{node}#{k}>"
        return self.names[task_id]

    def segment(self, seg: str, parent: tuple[str, ...]) -> str:
        node, sep, task_id = seg.partition(":")
        return f"{node}:{self.name(task_id, node, parent)}" if sep else seg


def _deep(obj: Any) -> Any:
    """Normalise exceptions anywhere inside a payload (containers keep their types)."""
    if isinstance(obj, BaseException):
        return normalise_exception(obj)
    if isinstance(obj, dict):
        return {k: _deep(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_deep(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_deep(v) for v in obj)
    return obj


def _sort_key(obj: Any) -> str:
    """A total order on normalised chunks that ignores dict key order (libraries may differ)."""
    if isinstance(obj, dict):
        return "{" + ",".join(sorted(f"{_sort_key(k)}:{_sort_key(v)}" for k, v in obj.items())) + "}"
    if isinstance(obj, list):
        return "[" + ",".join(_sort_key(v) for v in obj) + "]"
    if isinstance(obj, tuple):
        return "(" + ",".join(_sort_key(v) for v in obj) + ")"
    return f"{type(obj).__name__}:{obj!r}"


@dataclass(frozen=True)
class _Label:
    ns: tuple[str, ...]
    own: tuple[Any, ...]  # _BARRIER, or ("T", node, send index, mark)


def _kind(node: str) -> str:
    return node[:1]


def _mark_from_write(node: str, write: Any) -> int | None:
    # a plain node writes clock = input clock + 1 (in a dict, or in a list of single-key dicts when
    # it wrote some key twice); a subgraph node writes the child's final clock: no mark
    if _kind(node) not in ("n", "r", "j", "t"):
        return None
    for item in write if isinstance(write, list) else [write]:
        if isinstance(item, dict) and isinstance(item.get("clock"), int):
            return int(item["clock"]) - 1
    return None


def _send_index(node: str, write: Any) -> int | None:
    if _kind(node) != "w" or not isinstance(write, dict):
        return None
    for entry in write.get("log") or ():
        m = re.match(r"^w\d+\[(\d+)\]@", str(entry))
        if m:
            return int(m.group(1))
    return None


def _segment_owner(segment: str) -> tuple[Any, ...]:
    """Who, in the graph one level up, produced chunks of a deeper namespace segment: the task
    ``node:<id>``; a bare number marks a repeated subgraph call inside one task, which runs after the
    earlier call (the generator never overlaps them), so it orders like a barrier."""
    node, sep, _ = segment.partition(":")
    return ("T", node, None, None) if sep else _BARRIER


def _dependent(a: _Label, b: _Label) -> bool:
    p = 0
    while p < len(a.ns) and p < len(b.ns) and a.ns[p] == b.ns[p]:
        p += 1
    ax = a.own if len(a.ns) == p else _segment_owner(a.ns[p])
    bx = b.own if len(b.ns) == p else _segment_owner(b.ns[p])
    if ax == _BARRIER or bx == _BARRIER:
        return True
    _, an, ai, am = ax
    _, bn, bi, bm = bx
    if an == bn and (ai is None or bi is None or ai == bi):
        return True  # one task, or two tasks of one node: never concurrent
    return am is not None and bm is not None and am != bm  # different steps


class _Stream:
    """Parses and normalises one recorded stream, chunk by chunk, in order."""

    def __init__(self, modes: str | Sequence[str] | None, subgraphs: bool, v2: bool) -> None:
        self.modes = modes
        self.subgraphs = subgraphs
        self.v2 = v2
        self.extras: dict[str, Any] = {}  # a v2 part's keys besides type/ns/data, of the last parse
        self.namer = _Namer()
        self.task_info: dict[str, tuple[str, int | None, int | None]] = {}  # canonical id -> node, idx, mark

    def parse(self, chunk: Any) -> tuple[tuple[str, ...], str, Any] | None:
        listed = isinstance(self.modes, list)
        single = "updates" if self.modes is None else self.modes
        if self.v2:  # every chunk is a {"type", "ns", "data", ...} part, whatever the other options
            if not (isinstance(chunk, dict) and {"type", "ns", "data"} <= chunk.keys()):
                return None
            ns, mode = chunk["ns"], chunk["type"]
            if not (isinstance(ns, tuple) and all(isinstance(s, str) for s in ns)):
                return None
            if mode not in (self.modes if listed else [single]):  # type: ignore[operator]
                return None
            self.extras = {k: v for k, v in chunk.items() if k not in ("type", "ns", "data")}
            return ns, mode, chunk["data"]
        parts: tuple[Any, ...]
        if self.subgraphs:
            if not (isinstance(chunk, tuple) and len(chunk) == (3 if listed else 2)):
                return None
            parts = chunk
            if not (isinstance(parts[0], tuple) and all(isinstance(s, str) for s in parts[0])):
                return None
        else:
            parts = ((), *chunk) if listed and isinstance(chunk, tuple) and len(chunk) == 2 else ((), chunk)
            if listed and len(parts) != 3:
                return None
        if listed:
            ns, mode, payload = parts
            if mode not in self.modes:  # type: ignore[operator]
                return None
        else:
            ns, payload = parts
            mode = single
        return ns, mode, payload

    def _task_payload(self, payload: Any, cns: tuple[str, ...]) -> tuple[Any, tuple[Any, ...] | None]:
        """Normalise a tasks-mode payload; returns it and, for a result, its task identity."""
        if not (isinstance(payload, dict) and isinstance(payload.get("id"), str)):
            return _deep(payload), None
        node = str(payload.get("name"))
        cid = self.namer.name(payload["id"], node, cns)
        out = _deep(dict(payload, id=cid))
        if "result" not in payload:  # a start event: remember who this task is
            inp = payload.get("input")
            idx = inp.get("idx") if _kind(node) == "w" and isinstance(inp, dict) else None
            mark = inp.get("clock") if _kind(node) != "w" and isinstance(inp, dict) else None
            self.task_info[cid] = (node, idx, mark)
            return out, None
        node, idx, mark = self.task_info.get(cid, (node, None, None))
        return out, ("T", node, idx, mark)

    def label(self, chunk: Any) -> tuple[Any, _Label]:
        parsed = self.parse(chunk)
        if parsed is None:
            return ("<unexpected chunk shape>", _deep(chunk)), _Label((), _BARRIER)
        ns, mode, payload = parsed
        cns: tuple[str, ...] = ()
        for seg in ns:
            cns = (*cns, self.namer.segment(seg, cns))
        own: tuple[Any, ...] = _BARRIER
        if mode == "tasks":
            payload, ident = self._task_payload(payload, cns)
            own = ident or _BARRIER
        elif mode == "debug" and isinstance(payload, dict):
            inner, ident = self._task_payload(payload.get("payload"), cns)
            ts = payload.get("timestamp")
            payload = _deep(dict(payload, payload=inner))
            if isinstance(ts, str) and _TS.match(ts):
                payload["timestamp"] = "<ts>"
            own = ident if payload.get("type") == "task_result" and ident else _BARRIER
        elif mode == "updates" and isinstance(payload, dict):
            nodes = [k for k in payload if k != "__metadata__"]
            if len(nodes) == 1:
                node, write = nodes[0], payload[nodes[0]]
                own = ("T", node, _send_index(node, write), _mark_from_write(node, write))
            payload = _deep(payload)
        elif mode == "custom" and isinstance(payload, dict) and isinstance(payload.get("node"), str):
            node = payload["node"]
            mark = payload.get("clock") if _kind(node) != "w" else None
            own = ("T", node, payload.get("idx"), mark)
            payload = _deep(payload)
        else:
            payload = _deep(payload)
        if self.v2:
            norm = {"type": mode, "ns": cns, "data": payload, **_deep(self.extras)}
        elif self.subgraphs:
            norm = (cns, mode, payload) if isinstance(self.modes, list) else (cns, payload)
        else:
            norm = (mode, payload) if isinstance(self.modes, list) else payload
        return norm, _Label(cns, own)


def canonical(
    chunks: Sequence[Any], modes: str | Sequence[str] | None, subgraphs: bool, *, v2: bool = False
) -> list[Any]:
    """The normalised chunks in canonical order (equal for any two legitimate runs of one graph).
    ``v2``: the chunks are ``version="v2"`` parts (``{"type", "ns", "data"[, "interrupts"]}``)."""
    stream = _Stream(modes, subgraphs, v2)
    labelled = [stream.label(c) for c in chunks]
    n = len(labelled)
    keys = [_sort_key(norm) for norm, _ in labelled]
    succ: list[list[int]] = [[] for _ in range(n)]
    indegree = [0] * n
    for j in range(n):
        lj = labelled[j][1]
        for i in range(j):
            if _dependent(labelled[i][1], lj):
                succ[i].append(j)
                indegree[j] += 1
    heap = [(keys[i], i) for i in range(n) if indegree[i] == 0]
    heapq.heapify(heap)
    out: list[Any] = []
    while heap:
        _, i = heapq.heappop(heap)
        out.append(labelled[i][0])
        for j in succ[i]:
            indegree[j] -= 1
            if indegree[j] == 0:
                heapq.heappush(heap, (keys[j], j))
    return out
