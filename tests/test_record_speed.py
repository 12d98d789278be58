"""The recorder's fast line writers write what the tagged JSON form says, for any value.

To be cheap, ``nbstream.record`` leaves values JSON takes as they are (scalars, flat dicts and
tuples of them) for the JSON encoder and runs :func:`encode` only on the others. These tests draw
values that sit on that border (tuples, ``$`` keys, non-string keys, non-finite floats, sets,
bytes, nested dicts) and check that every line is the one the plain rule gives: each value
through ``encode``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nbstream
from nbstream._recorded_values import encode
from nbstream._recording_format import field_kinds
from nbstream.events import CustomData, RunFinished, StepFinished, TaskFinished, TaskStarted
from nbstream.recording import read_events

_KEYS = st.one_of(st.sampled_from(["x", "$x", "", "a$", "$"]), st.text(max_size=3))
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
    st.sampled_from(["$tuple", "$lc", "\ud800"]),  # a lone surrogate: orjson refuses it
)
_VALUES = st.recursive(
    _SCALARS | st.binary(max_size=3) | st.frozensets(st.integers(), max_size=3),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(_KEYS, inner, max_size=3),
        st.dictionaries(st.integers(), inner, max_size=2),
    ),
    max_leaves=8,
)


def _events(value: Any, other: Any) -> list[Any]:
    """Events whose every value field, item and pair carries one of the drawn values."""
    return [
        StepFinished("r", (), 1, {"a": value, "b": other}, frozenset({"b", "a"})),
        TaskStarted("r", ("sub:1",), 1, "t1", "n", value, ("branch:to:n",), ("__pregel_pull", value), other),
        TaskFinished(
            "r", (), 1, "t1", "n", value, (("a", value), ("b", other)), 0.5, None, False, False, other
        ),
        CustomData("r", (), 1, "t1", "n", value),
        RunFinished("r", (), 2, other),
    ]


def _at_default(event: Any, field: str) -> bool:
    """Whether ``field`` is at its default, which the line leaves out (None and bools: the same object)."""
    defaults = type(event)._field_defaults
    if field not in defaults:
        return False
    value, default = getattr(event, field), defaults[field]
    return value is default if default is None or type(default) is bool else bool(value == default)


def _expected(event: Any) -> dict[str, Any]:
    """The line the format describes: every value through ``encode``, nothing left as it is,
    fields at their defaults left out."""
    line: dict[str, Any] = {"event": type(event).__name__}
    for field, kind, _ in field_kinds(type(event)):
        value = getattr(event, field)
        if _at_default(event, field):
            continue
        if kind == "value":
            value = encode(value)
        elif kind == "items":
            value = [encode(v) for v in value]
        elif kind == "pairs":
            value = [[k, encode(v)] for k, v in value]
        elif kind == "set":
            value = sorted(value)
        elif kind == "thread":
            continue
        line[field] = value
    parsed: dict[str, Any] = json.loads(json.dumps(line, allow_nan=False))  # tuples become lists
    return parsed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_VALUES, other=_VALUES)
def test_every_line_is_the_tagged_form_of_its_values(tmp_path: Path, value: Any, other: Any) -> None:
    path = tmp_path / "run.jsonl"
    events = _events(value, other)
    with nbstream.record(path) as recorder:
        for event in events:
            recorder.on_event(event)
    lines = [json.loads(line) for line in path.read_bytes().split(b"\n")[1:-1]]  # not splitlines: \x85...
    assert len(lines) == len(events)
    for line, event in zip(lines, events, strict=True):
        assert isinstance(line.pop("t"), float)
        assert line == _expected(event)
    back = [event for _, event in read_events(path)]
    assert [_expected(e) for e in back] == [_expected(e) for e in events]  # the same values again


def test_a_flat_dict_is_written_as_it_was_when_its_event_came(tmp_path: Path) -> None:
    """Lines are made when their event comes: a node changing a dict in place later changes nothing."""
    path = tmp_path / "run.jsonl"
    update = {"n": 1}
    with nbstream.record(path) as recorder:
        recorder.on_event(TaskFinished("r", (), 1, "t1", "n", update, (("n", 1),), 0.1))
        update["n"] = 2
        update["later"] = math.inf
        recorder.on_event(StepFinished("r", (), 1, {"n": 1}, frozenset({"n"})))
    first = next(event for _, event in read_events(path))
    assert first.update == {"n": 1}
