"""State schemas → channels: which keys exist, how each key folds its writes (reducer or last value).

A reducer key folds a step's writes in task order. An ``Overwrite`` among them (or its JSON form,
``{"__overwrite__": v}`` / ``{"type": "__overwrite__", "value": v}``) replaces the value folded so
far, and the writes after it in the same step are dropped; a second one in the step is an
``InvalidUpdateError``. As in LangGraph, a reducer key with no value yet takes its first write as
is, and a key without a reducer stores whatever it is given, an ``Overwrite`` included.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, get_args, get_origin, get_type_hints

from nbstream._error_text import concurrent_update, expected_dict, noted
from nbstream.errors import ErrorCode, GraphBuildError, InvalidUpdateError, create_error_message
from nbstream.managed import managed_kind
from nbstream.types import OVERWRITE, Overwrite

__all__ = ["Channel", "SchemaInfo", "schema_info", "MISSING", "fold_writes"]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

Reducer = Callable[[Any, Any], Any]


def overwritten_value(write: Any) -> Any:
    """The value an Overwrite write carries (typed or JSON form), or MISSING for an ordinary write.

    Only an ``Overwrite`` or a plain ``dict`` is looked into, not their subclasses: ``fold`` tests
    the exact class (identity tests, cheaper than ``isinstance``) to keep ordinary writes fast.
    """
    cls = write.__class__
    if cls is Overwrite:
        return write.value
    if cls is dict:
        if len(write) == 1 and OVERWRITE in write:
            return write[OVERWRITE]
        if write.get("type") == OVERWRITE and "value" in write:
            return write["value"]
    return MISSING


@dataclasses.dataclass(frozen=True, slots=True)
class Channel:
    """One state key: its reducer (``None`` = plain key, one write per step) and initial value."""

    key: str
    reducer: Reducer | None
    default_factory: Callable[[], Any] | None

    def fold(self, current: Any, values: Sequence[Any], writers: Sequence[str], step: int) -> Any:
        """Apply one step's writes (in task order) to ``current``."""
        reducer = self.reducer
        if reducer is None:
            if len(values) > 1:
                raise noted(
                    InvalidUpdateError(concurrent_update(self.key)),
                    f"step {step} wrote key {self.key!r} {len(values)} times (from "
                    f"{', '.join(repr(w) for w in writers)}); give it a reducer to merge parallel "
                    f"writes, e.g. Annotated[list, operator.add]",
                )
            return values[0]
        pending = iter(values)
        value = next(pending) if current is MISSING else current
        for update in pending:
            cls = update.__class__
            if cls is Overwrite or (cls is dict and (OVERWRITE in update or update.get("type") == OVERWRITE)):
                # maybe an Overwrite: this write and the step's later ones take the slower path
                return self._fold_rest(value, update, pending, values, writers, step)
            value = reducer(value, update)
        return value

    def _fold_rest(
        self,
        value: Any,
        update: Any,
        pending: Iterator[Any],
        values: Sequence[Any],
        writers: Sequence[str],
        step: int,
    ) -> Any:
        """Fold ``update`` and the writes after it, minding Overwrites."""
        reducer = self.reducer
        assert reducer is not None
        overwritten = False
        while True:
            replacement = overwritten_value(update)
            if replacement is not MISSING:
                if overwritten:
                    raise self._second_overwrite(values, writers, step)
                value = replacement
                overwritten = True
            elif not overwritten:  # after an Overwrite, the step's later writes are dropped
                value = reducer(value, update)
            update = next(pending, MISSING)
            if update is MISSING:
                return value

    def _second_overwrite(
        self, values: Sequence[Any], writers: Sequence[str], step: int
    ) -> InvalidUpdateError:
        by = [w for v, w in zip(values, writers, strict=True) if overwritten_value(v) is not MISSING]
        return InvalidUpdateError(
            create_error_message(
                message=(
                    f"At key {self.key!r}: can receive only one Overwrite value per super-step, but step "
                    f"{step} got {len(by)} (from {', '.join(repr(w) for w in by)})."
                ),
                error_code=ErrorCode.INVALID_CONCURRENT_GRAPH_UPDATE,
            )
        )


@dataclasses.dataclass(frozen=True, slots=True)
class SchemaInfo:
    """What the runner needs to know about a schema class."""

    schema: Any
    keys: tuple[str, ...]
    #: 'dict' for TypedDict/dict schemas, 'model' for dataclasses and pydantic models
    kind: str
    #: managed keys (``RemainingSteps``, ``IsLastStep``) as (key, kind); they are not channels
    managed: tuple[tuple[str, str], ...] = ()

    def to_node_input(self, values: dict[str, Any]) -> Any:
        if self.kind == "dict":
            return {k: values[k] for k in self.keys if k in values}
        return self.schema(**{k: values[k] for k in self.keys if k in values})

    def to_managed_input(self, values: dict[str, Any], step: int, limit: int) -> Any:
        """The node input with the managed keys filled in for ``step`` under recursion ``limit``."""
        data = {k: values[k] for k in self.keys if k in values}
        for key, kind in self.managed:
            data[key] = limit - step if kind == "remaining_steps" else step == limit - 1
        return data if self.kind == "dict" else self.schema(**data)


def fold_writes(
    channels: dict[str, Channel],
    values: dict[str, Any],
    writes: Iterable[tuple[str, Iterable[tuple[str, Any]]]],
    step: int,
) -> tuple[dict[str, Any], dict[str, tuple[list[Any], list[str]]]]:
    """Apply one step's writes, given as (writer, pairs) in task order: each key goes through its
    reducer once with all its values, so two writers of a plain key conflict as in LangGraph.

    Returns the new state (``values`` itself when nothing was written; keys kept in the channels'
    order) and the writes grouped by key, as (values, writers).
    """
    grouped: dict[str, tuple[list[Any], list[str]]] = {}
    for writer, pairs in writes:
        for key, value in pairs:
            entry = grouped.get(key)
            if entry is None:
                grouped[key] = ([value], [writer])
            else:
                entry[0].append(value)
                entry[1].append(writer)
    if not grouped:
        return values, grouped
    values = dict(values)
    fresh = False
    for key, (vals, writers) in grouped.items():
        fresh = fresh or key not in values
        values[key] = channels[key].fold(values.get(key, MISSING), vals, writers, step)
    if fresh:  # keep LangGraph's key order (the channels' order) when a key first appears
        values = {k: values[k] for k in channels if k in values}
    return values, grouped


def _reducer_of(hint: Any) -> Reducer | None:
    if get_origin(hint) is typing.Annotated:
        for meta in reversed(hint.__metadata__):
            if callable(meta):
                return meta  # type: ignore[no-any-return]
    return None


#: abstract collection types stand for their concrete counterparts, as in LangGraph
_CONCRETE = {
    collections.abc.Sequence: list,
    collections.abc.MutableSequence: list,
    collections.abc.Set: set,
    collections.abc.MutableSet: set,
    collections.abc.Mapping: dict,
    collections.abc.MutableMapping: dict,
}


def _default_factory(hint: Any) -> Callable[[], Any] | None:
    """The empty value a reducer key starts from (``list()`` for ``Sequence[...]``), if it has one."""
    base = get_args(hint)[0] if get_origin(hint) is typing.Annotated else hint
    origin = get_origin(base) or base
    origin = _CONCRETE.get(origin, origin)
    if isinstance(origin, type):
        try:
            origin()
        except Exception:
            return None
        return origin
    return None


def _hints(schema: Any) -> dict[str, Any]:
    try:
        return get_type_hints(schema, include_extras=True)
    except Exception as exc:
        raise GraphBuildError(f"cannot read the type hints of state schema {schema!r}: {exc}") from exc


def _is_pydantic(schema: Any) -> bool:
    return isinstance(schema, type) and hasattr(schema, "model_fields") and hasattr(schema, "model_validate")


def schema_info(schema: Any) -> tuple[SchemaInfo, dict[str, Channel]]:
    """Read a TypedDict, dataclass or pydantic model into a SchemaInfo and its channels."""
    if not isinstance(schema, type):
        raise GraphBuildError(
            f"a state schema must be a TypedDict, a dataclass or a pydantic model class; got {schema!r}"
        )
    hints = _hints(schema)
    if dataclasses.is_dataclass(schema):
        keys = tuple(f.name for f in dataclasses.fields(schema))
        kind = "model"
    elif _is_pydantic(schema):
        keys = tuple(schema.model_fields)  # type: ignore[attr-defined]
        kind = "model"
    elif issubclass(schema, dict):
        keys = tuple(hints)
        kind = "dict"
    else:
        raise GraphBuildError(
            f"a state schema must be a TypedDict, a dataclass or a pydantic model class; "
            f"got {schema.__name__}"
        )
    channels: dict[str, Channel] = {}
    managed: list[tuple[str, str]] = []
    for key in keys:
        hint = hints.get(key, Any)
        managed_as = managed_kind(hint)
        if managed_as is not None:
            managed.append((key, managed_as))
            continue
        reducer = _reducer_of(hint)
        channels[key] = Channel(key, reducer, _default_factory(hint) if reducer is not None else None)
    if managed:
        keys = tuple(k for k in keys if k in channels)
    return SchemaInfo(schema, keys, kind, tuple(managed)), channels


def input_to_dict(value: Any, info: SchemaInfo) -> dict[str, Any]:
    """Turn a graph input (dict or schema instance) into the writes of the input step."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k in info.keys}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.name in info.keys}
    if _is_pydantic(type(value)):
        return {k: getattr(value, k) for k in type(value).model_fields if k in info.keys}
    raise noted(
        InvalidUpdateError(expected_dict(value)),
        f"graph input must be a dict or a {getattr(info.schema, '__name__', info.schema)} instance; "
        f"got {type(value).__name__}: {value!r:.80}",
    )


def update_to_pairs(update: Any, node: str, *, in_command: bool = False) -> list[tuple[str, Any]] | None:
    """Turn a node's return (dict or model instance; inside a Command also (key, value) pairs) into
    write pairs."""
    if update is None:
        return None
    if isinstance(update, dict):
        return list(update.items())
    if (
        in_command
        and isinstance(update, list | tuple)
        and all(isinstance(p, tuple) and len(p) == 2 for p in update)
    ):
        return list(update)
    if dataclasses.is_dataclass(update) and not isinstance(update, type):
        return [(f.name, getattr(update, f.name)) for f in dataclasses.fields(update)]
    if _is_pydantic(type(update)):
        return [(k, getattr(update, k)) for k in (update.model_fields_set or type(update).model_fields)]
    what = "returned a Command whose update is" if in_command else "returned"
    detail = (
        f"node {node!r} {what} {type(update).__name__} ({update!r:.80}); expected a dict of state "
        f"updates, None, a Command, or a list of Commands"
    )
    if in_command:  # LangGraph ignores such an update; nbstream refuses it
        raise InvalidUpdateError(detail)
    raise noted(InvalidUpdateError(expected_dict(update)), detail)
