"""Deterministic printing for the persistence corpus: random ids become stable labels, times vanish.

A persistence program prints checkpoint ids, task ids, message ids and timestamps, which differ on
every run. ``show = Labeller(); show(x)`` prints ``x`` (``pprint``-formatted, so dict order is what
the program built) with each distinct uuid replaced by a label numbered in order of first
appearance, ``<id1>``, ``<id2>``..., across everything the labeller printed. Two prints that carry
the same checkpoint id show the same label, so which config points at which checkpoint is still
checked; only the random value is hidden. Timestamps print as ``<time>``.

A config's ``configurable`` dict prints with its keys sorted: LangGraph builds it in different
orders in different places (``checkpoint_ns`` first in one chunk, ``thread_id`` first in the next)
and no program can rely on that order. Every other dict keeps the order it was built in.

Interrupt ids are labelled too, ``<interrupt1>``...: LangGraph 1.2.22 makes them by hashing (xxh3,
32 hex digits) the task's checkpoint namespace, and that namespace holds the task id, which is
derived from the checkpoint id, a time-based uuid. So an interrupt id is stable within a thread
(resuming by id works, ``get_state`` shows the id ``invoke`` returned) but differs on every run.
"""

from __future__ import annotations

import pprint
import re
from typing import Any

# uuid-shaped ids: checkpoint ids (uuid6), task ids (uuid5), message and run ids (uuid4), also when
# they sit inside a longer string ("node:<task id>", "run-<uuid>-0", "lc_run--<uuid>")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# interrupt ids: xxh3-128 hex digests
_INTERRUPT_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?")


def _sorted_configurable(value: Any) -> Any:
    """``value`` with every ``configurable`` dict inside dicts, lists and (named) tuples key-sorted."""
    if isinstance(value, dict):
        return {
            k: dict(sorted(v.items()))
            if k == "configurable" and isinstance(v, dict)
            else _sorted_configurable(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_sorted_configurable(v) for v in value]
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # StateSnapshot, PregelTask
        return type(value)(*(_sorted_configurable(v) for v in value))
    if isinstance(value, tuple):
        return tuple(_sorted_configurable(v) for v in value)
    return value


class Labeller:
    """Prints values with their random parts replaced; one per program, so labels start at 1."""

    def __init__(self) -> None:
        self._labels: dict[str, str] = {}
        self._interrupts: dict[str, str] = {}

    def text(self, value: Any) -> str:
        """``value`` formatted (strings as they are, anything else by pprint) and normalised."""
        if isinstance(value, str):
            raw = value
        else:
            raw = pprint.pformat(_sorted_configurable(value), width=100, sort_dicts=False)
        raw = _UUID.sub(self._label_id, raw)
        raw = _INTERRUPT_ID.sub(self._label_interrupt, raw)
        return _TIMESTAMP.sub("<time>", raw)

    def _label_id(self, match: re.Match[str]) -> str:
        return self._labels.setdefault(match.group(0), f"<id{len(self._labels) + 1}>")

    def _label_interrupt(self, match: re.Match[str]) -> str:
        return self._interrupts.setdefault(match.group(0), f"<interrupt{len(self._interrupts) + 1}>")

    def __call__(self, *values: Any) -> None:
        print(*(self.text(v) for v in values))
