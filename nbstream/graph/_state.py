"""State schemas → channels: which keys exist, how each key folds its writes (reducer or last value)."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Sequence
from typing import Any, get_args, get_origin, get_type_hints

from nbstream._error_text import concurrent_update, expected_dict, noted
from nbstream.errors import GraphBuildError, InvalidUpdateError

__all__ = ["Channel", "SchemaInfo", "schema_info", "MISSING"]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

Reducer = Callable[[Any, Any], Any]


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
        value = current
        for update in values:
            value = update if value is MISSING else reducer(value, update)
        return value


@dataclasses.dataclass(frozen=True, slots=True)
class SchemaInfo:
    """What the runner needs to know about a schema class."""

    schema: Any
    keys: tuple[str, ...]
    #: 'dict' for TypedDict/dict schemas, 'model' for dataclasses and pydantic models
    kind: str

    def to_node_input(self, values: dict[str, Any]) -> Any:
        if self.kind == "dict":
            return {k: values[k] for k in self.keys if k in values}
        return self.schema(**{k: values[k] for k in self.keys if k in values})


def _reducer_of(hint: Any) -> Reducer | None:
    if get_origin(hint) is typing.Annotated:
        for meta in reversed(hint.__metadata__):
            if callable(meta):
                return meta  # type: ignore[no-any-return]
    return None


def _default_factory(hint: Any) -> Callable[[], Any] | None:
    base = get_args(hint)[0] if get_origin(hint) is typing.Annotated else hint
    origin = get_origin(base) or base
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
    for key in keys:
        hint = hints.get(key, Any)
        reducer = _reducer_of(hint)
        channels[key] = Channel(key, reducer, _default_factory(hint) if reducer is not None else None)
    return SchemaInfo(schema, keys, kind), channels


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
