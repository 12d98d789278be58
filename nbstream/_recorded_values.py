"""How the values events carry are written to a recording as JSON, and read back.

JSON values (str, int, float, bool, None, lists, dicts with string keys) are written as they are.
Everything else is a one-key-first tagged object whose first key starts with ``$``:

* ``{"$tuple": [...]}``, ``{"$set": [...]}``, ``{"$frozenset": [...]}``, ``{"$bytes": base64}``,
  ``{"$float": "nan"}``, ``{"$dict": [[key, value], ...]}`` (a dict with keys that are not strings,
  or that start with ``$``): the exact Python value comes back.
* ``{"$lc": <langchain-core dumpd form>}``: LangChain messages, documents, prompts... come back
  through ``langchain_core.load`` (messages take a fast path that gives the same objects).
* ``{"$nb": "module:Name", "fields": {...}}``: nbstream's and LangGraph's own records (``Send``,
  ``Command``, ``Interrupt``, ``PregelTask``...), rebuilt field by field.
* ``{"$error": "module:Name", "message": ..., "args": [...]}``: an exception. Builtin, nbstream and
  LangGraph exceptions come back as themselves; any other comes back as a :class:`RecordedError`
  subclass with the same name and message.
* ``{"$repr": "...", "type": "module:Name", "data": ...}``: anything else (your pydantic models and
  dataclasses, with their fields as ``data``): it comes back as a :class:`RecordedValue` whose
  ``repr`` is the original's. Classes named in a file are never imported from outside nbstream and
  LangGraph, and nothing is ever unpickled: a recording cannot run code.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import importlib
import math
import operator
import warnings
from collections.abc import Callable
from typing import Any

from langchain_core._api.beta_decorator import LangChainBetaWarning
from langchain_core.load import dumpd, load
from langchain_core.load.serializable import Serializable
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    ChatMessageChunk,
    FunctionMessage,
    FunctionMessageChunk,
    HumanMessage,
    HumanMessageChunk,
    RemoveMessage,
    SystemMessage,
    SystemMessageChunk,
    ToolMessage,
    ToolMessageChunk,
)
from pydantic import BaseModel

__all__ = [
    "encode",
    "decode",
    "message_codec",
    "token_text",
    "token_template",
    "RecordedValue",
    "RecordedError",
]

#: modules whose classes a recording may name and get back (our own records, never user code)
_TRUSTED_MODULES = ("nbstream.", "langgraph.", "builtins")


class RecordedValue:
    """A value a recording could only keep as its repr (and its fields, when it had some)."""

    __slots__ = ("data", "text", "type_name")

    def __init__(self, type_name: str, text: str, data: Any = None) -> None:
        #: ``module:QualName`` of the original value's class
        self.type_name = type_name
        self.text = text
        #: the original's fields (a pydantic model's ``model_dump()``, a dataclass's fields), or None
        self.data = data

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, RecordedValue)
            and (self.type_name, self.text, self.data) == (other.type_name, other.text, other.data)
        )

    def __hash__(self) -> int:
        return hash((self.type_name, self.text))


class RecordedError(Exception):
    """Base of the stand-ins for exceptions a recording cannot rebuild (their class is yours).

    The stand-in class has the original's name and module, so views and messages read the same.
    """

    #: ``module:QualName`` of the original exception's class
    type_name: str = ""


_STAND_INS: dict[str, type[RecordedError]] = {}


def _stand_in(type_name: str) -> type[RecordedError]:
    made = _STAND_INS.get(type_name)
    if made is None:
        module, _, qualname = type_name.partition(":")
        name = qualname.rpartition(".")[2] or "Error"
        made = type(name, (RecordedError,), {"type_name": type_name, "__module__": module})
        made.__qualname__ = qualname or name
        _STAND_INS[type_name] = made
    return made


def _name_of(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


# LangChain messages: the dumpd form, built and read without langchain-core's generic walk ---------

_MESSAGE_CLASSES: tuple[type[BaseMessage], ...] = (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    HumanMessageChunk,
    SystemMessage,
    SystemMessageChunk,
    ToolMessage,
    ToolMessageChunk,
    ChatMessage,
    ChatMessageChunk,
    FunctionMessage,
    FunctionMessageChunk,
    RemoveMessage,
)


class _MessageCodec:
    """The dumpd form of one message class: its id path and the field defaults left out."""

    __slots__ = (
        "cls",
        "defaults",
        "factories",
        "made_fresh",
        "path",
        "path_key",
        "rare",
        "rare_defaults",
        "required",
        "required_others",
        "template",
    )

    def __init__(self, cls: type[BaseMessage]) -> None:
        self.cls = cls
        self.path: list[str] = cls.lc_id()
        self.path_key = tuple(self.path)
        self.defaults: dict[str, Any] = {}
        self.factories: dict[str, Callable[[], Any]] = {}
        #: fields without a default (content; a ToolMessage's tool_call_id...): always written
        self.required = [n for n, info in cls.model_fields.items() if info.is_required() and n != "type"]
        self.required_others = [n for n in self.required if n != "content"]
        for name, info in cls.model_fields.items():
            if name == "type":  # dumpd always writes it
                continue
            if info.default_factory is not None:
                factory: Any = info.default_factory
                self.factories[name] = factory
                self.defaults[name] = factory()
            elif not info.is_required():
                self.defaults[name] = info.default
        # a streamed token sets only content, type and id: one C-level comparison of the other
        # fields with their defaults tells it apart (the loop over every field costs 5x more)
        #: every field in the class's order (a message's repr follows its __dict__'s order), with
        #: its default or a placeholder; the factories' fields get a fresh value per message
        self.template = {
            name: None if info.default_factory is not None or info.is_required() else info.default
            for name, info in cls.model_fields.items()
        }
        self.made_fresh = tuple(self.factories.items())
        rare = [name for name in self.defaults if name != "id"]
        self.rare = operator.itemgetter(*rare)
        self.rare_defaults = tuple(self.defaults[name] for name in rare)

    def token_text(self, message: Any) -> str | None:
        """The text of ``message`` (of this class) if it is a plain streamed token, else None."""
        fields = message.__dict__
        content = fields["content"]
        if type(content) is not str or self.rare(fields) != self.rare_defaults or message.__pydantic_extra__:
            return None
        return content

    def encode(self, message: Any) -> dict[str, Any]:
        fields = message.__dict__
        if self.rare(fields) == self.rare_defaults:
            plain = {name: encode(fields[name]) for name in self.required}
            plain["type"] = fields["type"]
            if fields["id"] is not None:
                plain["id"] = fields["id"]
            return {"$lc": {"lc": 1, "type": "constructor", "id": self.path, "kwargs": plain}}
        defaults = self.defaults
        kwargs = {}
        for name, value in fields.items():
            if name in defaults and value == defaults[name]:
                continue
            kwargs[name] = encode(value)
        return {"$lc": {"lc": 1, "type": "constructor", "id": self.path, "kwargs": kwargs}}

    def decode(self, kwargs: dict[str, Any]) -> Any:
        # the kwargs are a valid message's fields as they were after validation: set them back
        # as they were (pydantic's own constructor would validate them again, 3x slower)
        cls = self.cls
        fields = self.template.copy()
        for name, factory in self.made_fresh:
            fields[name] = factory()
        for name, value in kwargs.items():
            fields[name] = value if type(value) is str else decode(value)
        message = cls.__new__(cls)
        object.__setattr__(message, "__dict__", fields)
        object.__setattr__(message, "__pydantic_fields_set__", set(kwargs))
        object.__setattr__(message, "__pydantic_extra__", {})
        object.__setattr__(message, "__pydantic_private__", None)
        return message


_MESSAGES_BY_CLASS: dict[type, _MessageCodec] = {}
_MESSAGES_BY_PATH: dict[tuple[str, ...], _MessageCodec] = {}
for _cls in _MESSAGE_CLASSES:
    _codec = _MessageCodec(_cls)
    _MESSAGES_BY_CLASS[_cls] = _codec
    _MESSAGES_BY_PATH[_codec.path_key] = _codec


# writing -----------------------------------------------------------------------------------------


def message_codec(message: Any) -> _MessageCodec:
    """The codec of a LangChain message of one of langchain-core's classes."""
    return _MESSAGES_BY_CLASS[type(message)]


def token_text(message: Any) -> str | None:
    """The text of ``message`` if it is a streamed token (all its fields are defaults but its
    text content, type and id), else None: the recorder writes such a message from a template."""
    codec = _MESSAGES_BY_CLASS.get(type(message))
    if codec is None or codec.required_others:
        return None
    return codec.token_text(message)


def token_template(message: Any) -> dict[str, Any]:
    """The ``$lc`` form of a streamed token (see :func:`token_text`) without its content."""
    codec = _MESSAGES_BY_CLASS[type(message)]
    kwargs: dict[str, Any] = {"type": message.type}
    if message.id is not None:
        kwargs["id"] = message.id
    return {"$lc": {"lc": 1, "type": "constructor", "id": codec.path, "kwargs": kwargs}}


def encode(value: Any) -> Any:
    """The JSON form of ``value`` (see the module docstring for the tags)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        for key in value:
            if type(key) is not str or key[:1] == "$":
                return {"$dict": [[encode(k), encode(v)] for k, v in value.items()]}
        return {k: encode(v) for k, v in value.items()}
    if kind is list:
        return [encode(v) for v in value]
    if kind is tuple:
        return {"$tuple": [encode(v) for v in value]}
    if kind is float:
        return value if math.isfinite(value) else {"$float": repr(value)}
    codec = _MESSAGES_BY_CLASS.get(kind)
    if codec is not None and not value.__pydantic_extra__:
        return codec.encode(value)
    return _encode_object(value)


def _encode_object(value: Any) -> Any:
    kind = type(value)
    if kind is set or kind is frozenset:
        items = [encode(v) for v in value]
        with contextlib.suppress(TypeError):  # a deterministic file when the items can be ordered
            items.sort()
        return {"$set" if kind is set else "$frozenset": items}
    if kind is bytes:
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, BaseException):
        return {
            "$error": _name_of(kind),
            "message": str(value),
            "args": [encode(a) for a in value.args],
        }
    if isinstance(value, Serializable) and value.is_lc_serializable():
        form = dumpd(value)
        if form.get("type") == "constructor":
            return {"$lc": form}
    if kind.__module__.startswith(_TRUSTED_MODULES[:2]):
        record = _encode_record(value)
        if record is not None:
            return record
    data: Any = None
    if isinstance(value, BaseModel):
        data = encode(value.model_dump())
    elif dataclasses.is_dataclass(value):
        data = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return {"$repr": repr(value), "type": _name_of(kind), "data": data}


def _encode_record(value: Any) -> dict[str, Any] | None:
    """nbstream's and LangGraph's named tuples and dataclasses, field by field."""
    names: tuple[str, ...] | None = getattr(type(value), "_fields", None)
    if isinstance(value, tuple) and names is not None:
        fields = {name: encode(item) for name, item in zip(names, value, strict=True)}
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    else:
        return None
    return {"$nb": _name_of(type(value)), "fields": fields}


# reading -----------------------------------------------------------------------------------------


def decode(value: Any) -> Any:
    """The Python value of a JSON form written by :func:`encode`."""
    kind = type(value)
    if kind is dict:
        for key in value:  # a tag is always the first key
            if key[:1] == "$":
                return _decode_tagged(key, value)
            break
        return {k: decode(v) for k, v in value.items()}
    if kind is list:
        return [decode(v) for v in value]
    return value


def _decode_tagged(tag: str, form: dict[str, Any]) -> Any:
    body = form[tag]
    if tag == "$lc":
        codec = _MESSAGES_BY_PATH.get(tuple(body.get("id", ())))
        if codec is not None and body.get("type") == "constructor":
            return codec.decode(body.get("kwargs", {}))
        with warnings.catch_warnings():  # load() is "beta" in langchain-core: not the reader's concern
            warnings.simplefilter("ignore", LangChainBetaWarning)
            return load(body, allowed_objects="core")
    if tag == "$tuple":
        return tuple(decode(v) for v in body)
    if tag == "$dict":
        return {_hashable(decode(k)): decode(v) for k, v in body}
    if tag == "$nb":
        return _decode_record(body, form.get("fields", {}))
    if tag == "$error":
        return _decode_error(body, form)
    if tag == "$repr":
        return RecordedValue(str(form.get("type", "")), body, decode(form.get("data")))
    if tag == "$set":
        return {_hashable(decode(v)) for v in body}
    if tag == "$frozenset":
        return frozenset(_hashable(decode(v)) for v in body)
    if tag == "$bytes":
        return base64.b64decode(body)
    if tag == "$float":
        return float(body)
    raise ValueError(f"unknown value tag {tag!r}")


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _trusted_class(type_name: str) -> type | None:
    """The class ``module:QualName`` names, if it lives in nbstream, LangGraph or builtins."""
    module_name, _, qualname = type_name.partition(":")
    if not (module_name == "builtins" or module_name.startswith(_TRUSTED_MODULES[:2])):
        return None
    try:
        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError):
        return None
    return found if isinstance(found, type) else None


def _decode_record(type_name: str, fields: dict[str, Any]) -> Any:
    cls = _trusted_class(type_name)
    values = {name: decode(v) for name, v in fields.items()}
    if cls is None:
        return RecordedValue(type_name, f"{type_name.partition(':')[2]}({values!r})", values)
    if issubclass(cls, tuple):
        return cls(**values)
    record = cls.__new__(cls)
    for name, value in values.items():  # as the fields were, without re-running __init__ checks
        object.__setattr__(record, name, value)
    return record


def _decode_error(type_name: str, form: dict[str, Any]) -> BaseException:
    message = str(form.get("message", ""))
    args = [decode(a) for a in form.get("args", ())]
    cls = _trusted_class(type_name)
    if cls is not None and issubclass(cls, BaseException):
        try:
            error = cls(*args)
            if str(error) == message:
                return error
        except Exception:  # its constructor wants more than its args: fall back to a stand-in
            pass
    stand_in = _stand_in(type_name)(message)
    return stand_in
