"""The LangGraph keyword options of ``stream``/``astream``/``invoke``/``ainvoke``, read in one place.

``read_options`` checks the keyword arguments a call got beyond nbstream's explicit parameters and
returns ``None`` when they ask for nothing (the common case, which then costs the run nothing), else
one :class:`CallOptions` the projector and the invoke path act on. What it refuses, and why:

* ``interrupt_before``/``interrupt_after``/``durability`` (and the deprecated
  ``checkpoint_during``) are kept for the run's thread (see :mod:`nbstream.runtime._persist`);
* ``control`` (cooperative drain): not implemented (``NotSupportedError``);
* ``version`` other than ``"v1"``/``"v2"``: ``ValueError`` (LangGraph quietly streams v1 for them);
* ``output_keys`` naming a key the state does not have: ``ValueError``, as LangGraph;
* any other keyword: ``TypeError``, as a Python function without ``**kwargs`` would raise
  (LangGraph accepts and ignores unknown keywords, so a typo would look like a working call).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from nbstream.errors import NotSupportedError
from nbstream.graph._state import SchemaInfo
from nbstream.modes import parse_modes

__all__ = ["CallOptions", "read_options", "given_options", "DEBUG_PRINT_MODES"]

#: what ``debug=True`` prints, in LangGraph 1.2: the updates and values chunks (not a step trace)
DEBUG_PRINT_MODES = frozenset({"updates", "values"})

_DURABILITY = ("sync", "async", "exit")


class CallOptions(NamedTuple):
    """What a call asked for beyond plain ``stream_mode``/``subgraphs``."""

    #: ``"v2"`` yields ``{"type", "ns", "data"}`` dicts (``invoke`` returns a ``GraphOutput``)
    v2: bool
    #: modes whose chunks are printed to stdout as they are streamed
    print_modes: frozenset[str]
    #: keys the ``values``/``updates`` chunks are cut down to; a string gives bare values
    output_keys: str | tuple[str, ...] | None
    #: v2 only: turns a ``values`` dict into the graph's output class (dataclass or pydantic model)
    output_mapper: Callable[[dict[str, Any]], Any] | None
    #: the call's own interrupt_before / interrupt_after nodes (None: the graph's), and durability
    interrupt_before: Any = None
    interrupt_after: Any = None
    durability: str | None = None


#: LangGraph's explicit run options and their defaults: a value other than these is "given"
_DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("print_mode", ()),
    ("output_keys", None),
    ("interrupt_before", None),
    ("interrupt_after", None),
    ("durability", None),
    ("control", None),
    ("debug", None),
    ("version", "v1"),
)


def given_options(kwargs: dict[str, Any], *values: Any) -> dict[str, Any]:
    """The run options a call set, from ``values`` (in ``_DEFAULTS`` order) and its extra ``kwargs``."""
    given = kwargs
    for (name, default), value in zip(_DEFAULTS, values, strict=True):
        if value is not default and value != default:
            if given is kwargs:
                given = dict(kwargs)
            given[name] = value
    return given


def read_options(
    method: str,
    kwargs: dict[str, Any],
    *,
    channels: Mapping[str, Any],
    graph_debug: bool,
    output_info: SchemaInfo,
) -> CallOptions | None:
    """Check ``method``'s extra keyword arguments; ``None`` when they change nothing."""
    if not kwargs and not graph_debug:
        return None
    kwargs = dict(kwargs)
    before = kwargs.pop("interrupt_before", None)
    after = kwargs.pop("interrupt_after", None)
    durability = kwargs.pop("durability", None)
    if "checkpoint_during" in kwargs:
        during = kwargs.pop("checkpoint_during")
        if durability is not None:
            raise ValueError(
                "Cannot use both `checkpoint_during` and `durability` parameters. "
                "Please use `durability` instead."
            )
        import warnings

        from nbstream.warnings import LangGraphDeprecatedSinceV10

        warnings.warn(
            "`checkpoint_during` is deprecated and will be removed. Please use `durability` instead.",
            category=LangGraphDeprecatedSinceV10,
            stacklevel=4,
        )
        durability = "async" if during else "exit"
    if durability is not None and durability not in _DURABILITY:
        raise ValueError(f"{method}(durability={durability!r}): durability is one of {_DURABILITY}")
    control = kwargs.pop("control", None)
    if control is not None:
        raise NotSupportedError(
            f"{method}(control=...) (cooperative drain with a RunControl) is not implemented by nbstream; "
            f"remove the argument or run the graph with LangGraph"
        )
    version = kwargs.pop("version", "v1")
    if version not in ("v1", "v2"):
        raise ValueError(f"{method}(version={version!r}): the streaming format version is 'v1' or 'v2'")
    print_mode = kwargs.pop("print_mode", ())
    output_keys = kwargs.pop("output_keys", None)
    debug = kwargs.pop("debug", None)
    if kwargs:
        name = next(iter(kwargs))
        raise TypeError(f"{method}() got an unexpected keyword argument {name!r}")
    if debug or graph_debug:
        print_modes = DEBUG_PRINT_MODES  # as LangGraph: debug replaces print_mode
    elif isinstance(print_mode, str) or print_mode:
        print_modes = parse_modes(print_mode)[0]
    else:
        print_modes = frozenset()
    keys = _output_keys(output_keys, channels)
    v2 = version == "v2"
    thread = before is not None or after is not None or durability is not None
    if not v2 and not print_modes and keys is None and not thread:
        return None
    return CallOptions(
        v2, print_modes, keys, _output_mapper(output_info) if v2 else None, before, after, durability
    )


def _output_mapper(info: SchemaInfo) -> Callable[[dict[str, Any]], Any] | None:
    """As LangGraph's v2 streams: a dataclass or pydantic output schema is built from each values dict."""
    if info.kind != "model":
        return None
    schema = info.schema

    def to_output(values: dict[str, Any]) -> Any:
        return schema(**values)

    return to_output


def _output_keys(output_keys: Any, channels: Mapping[str, Any]) -> str | tuple[str, ...] | None:
    if output_keys is None:
        return None
    keys: str | tuple[str, ...] = output_keys if isinstance(output_keys, str) else tuple(output_keys)
    for key in (keys,) if isinstance(keys, str) else keys:
        if key not in channels:
            raise ValueError(
                f"Key {key} not in channels: output_keys must name state keys, one of {sorted(channels)}"
            )
    return keys


def invoke_options(options: CallOptions | None, output_keys: Sequence[str]) -> CallOptions:
    """The options of an ``invoke`` that runs as a ``values`` stream: by default its chunks hold the
    output schema's keys, as ``invoke`` returns them."""
    if options is None:
        return CallOptions(False, frozenset(), tuple(output_keys), None)
    if options.output_keys is None:
        return options._replace(output_keys=tuple(output_keys))
    return options
