"""Chat-model tokens and messages as events: the langchain-core side of the ``messages`` stream mode.

One :class:`MessagesHandler` is made per top-level call when somebody listens to messages (the
``messages`` mode was requested, or observers were given); otherwise none is made and a run pays
nothing. (A graph invoked inside a node that asks for messages itself gets one of its own, which
shares the enclosing one's de-duplication.) The runner puts it into every task's ``RunnableConfig``
(``callbacks``, as a callback manager carrying the task's metadata and tags) and sets
langchain-core's config context variable for the task, so a chat model called anywhere inside a
node (``model.invoke(msgs)`` without a config, ``await model.ainvoke(msgs)``, a ``@tool`` the node
calls, a subgraph, a graph invoked inside the node) reports to it. It publishes, on the run's bus:

* ``LLMCallStarted`` when a chat model starts, ``MessageChunk(kind="token")`` for every streamed
  chunk (the ``AIMessageChunk`` itself, by reference), and ``LLMCallFinished`` at the end
  (``error`` set when the model raised: the tokens already sent stand, the node's error propagates
  as any node error does);
* ``MessageChunk(kind="message")`` for a whole message: the result of a model that did not stream
  (``disable_streaming=True``, ``streaming=False``, no ``_stream``), and every message a node
  returns that nobody has seen yet (``call_id`` is then ``None``).

Why a handler makes ``model.invoke()`` stream: it has langchain-core's ``_StreamingCallbackHandler``
shape (``tap_output_iter``/``tap_output_aiter``, passing output through), and a chat model with such
a handler attached calls its streaming implementation even from ``invoke``. ``run_inline`` keeps
each callback in the thread that made the token, so order is kept.

Metadata (``MessageChunk.metadata``, one dict per LLM call shared by all its chunks, or one per
node for node-output messages) has LangGraph's keys: the model run's metadata from langchain-core
(``langgraph_step``/``_node``/``_triggers``/``_path``/``_checkpoint_ns``, ``checkpoint_ns``,
``ls_*``, ``lc_versions``, user metadata) plus ``tags``, the model run's tags without the internal
``seq:step:*`` ones (absent when there are none). Node-output metadata is the task's metadata with
``ls_integration='langgraph'``. Treat these dicts as read-only.

Which messages are emitted (LangGraph's rules, kept per top-level call):

* Token chunks always. Whole messages only once per message id: ids of the messages in each
  task's input count as seen (so the user's input and earlier history are never emitted), and so
  does every emitted message and every message whose tokens streamed. A message without an id gets
  a uuid4 id assigned in place first (the same object then goes into state with it).
* A node's output is scanned at the end of the task: every message, or list/tuple of messages, the
  node wrote to a state key (a returned dict's top-level values, a ``Command``'s update, each of a
  list of Commands, a subgraph's output). Messages in shorthand (``("ai", "hi")``, dicts) are not
  messages yet and are not emitted; ``RemoveMessage`` never is.
* ``message_keys=[...]`` (on ``stream``/``astream``/``invoke``/``ainvoke``) limits that scan to the
  named state keys, so internal message channels stay out of the stream; tokens are not affected.
  The default (``None``) scans every key, as LangGraph does.
* With ``subgraphs=False`` the ``messages`` mode shows the root graph only, and a message that a
  subgraph (or a graph invoked in a node) produced is shown once more when the root node that
  returns it ends, as LangGraph does. Observers see that repeat too (it carries the root
  namespace); with ``subgraphs=True`` or only observers there is no repeat.

``nostream``: a model tagged ``nostream`` (``model.with_config(tags=["nostream"])`` or constructor
``tags=``) produces no events at all: no tokens, no whole message, and its final message is not
emitted either when the node returns it. LangGraph suppresses the tokens but emits the returned
message once through the node-output path (langgraph issue #7509); nbstream does not. The tag
acts on model calls: in the run's config (``config={"tags": ["nostream"]}``) it reaches, and hides,
every model call of the run.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler, BaseCallbackManager, CallbackManager
from langchain_core.messages import BaseMessage, RemoveMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, GenerationChunk, LLMResult
from pydantic import BaseModel

from nbstream._callbacks import plus_handler
from nbstream.events import Event, LLMCallFinished, LLMCallStarted, MessageChunk, Namespace

if TYPE_CHECKING:
    from nbstream.runtime.loop import Run, Task

__all__ = ["TAG_NOSTREAM", "MessagesHandler", "task_callbacks", "with_handler"]

#: tag a chat model with this to keep it out of the ``messages`` stream entirely
TAG_NOSTREAM = "nostream"

T = TypeVar("T")
_NS_SEP = "|"
# builds a NamedTuple from a ready tuple without the Python-level __new__ (the token path)
_tuple_new: Callable[[type[MessageChunk], tuple[Any, ...]], MessageChunk] = tuple.__new__


class _Call:
    """What the token path needs about one running chat-model call."""

    __slots__ = ("call_id", "meta", "node", "ns", "run_id", "step", "streamed")

    def __init__(self, run_id: str, ns: Namespace, step: int, call_id: str, node: str, meta: dict[str, Any]):
        self.run_id = run_id
        self.ns = ns
        self.step = step
        self.call_id = call_id
        self.node = node
        self.meta = meta
        self.streamed = False


class MessagesHandler(BaseCallbackHandler):
    """Publishes chat-model tokens and node-output messages of one top-level call as events.

    ``base`` is the namespace of the graph the handler was made for (``()`` for a top-level call);
    ``split`` is set when the ``messages`` mode is requested without ``subgraphs``, so that the
    base graph's messages are de-duplicated on their own (see the module docstring);
    ``base_only`` when nobody wants anything outside the base graph (no observers, no
    ``subgraphs``): calls elsewhere are then not even registered. ``seen`` and ``muted`` are shared
    with the handler of an enclosing call when a graph invoked inside a node streams messages itself.
    """

    run_inline = True
    #: tells nbstream.runtime._tracing that this handler alone does not make a call traced
    _nbstream_messages = True
    # plain class attributes (not the base class's properties): langchain-core reads ignore_llm
    # on every token; the rest turn off callbacks this handler does not need
    ignore_llm = False
    ignore_chat_model = False
    ignore_chain = True
    ignore_agent = True
    ignore_retriever = True
    ignore_retry = True
    ignore_custom_event = True

    def __init__(
        self,
        publish: Callable[[Event], None],
        run_id: str,
        base: Namespace = (),
        *,
        split: bool = False,
        base_only: bool = False,
        message_keys: Sequence[str] | None = None,
        seen: set[str] | None = None,
        muted: set[str] | None = None,
    ) -> None:
        self._publish = publish
        self._run_id = run_id
        self._base = base
        self._base_only = base_only
        self._keys = _key_set(message_keys)
        #: ids of messages already emitted or known (inputs, streamed calls), at any depth
        self._seen: set[str] = seen if seen is not None else set()
        #: the same, for the base graph only when ``split``; else the very same set
        self._seen_base: set[str] = set() if split else self._seen
        #: ids of final messages of ``nostream`` calls: never emitted
        self._muted: set[str] = muted if muted is not None else set()
        self._calls: dict[int, _Call] = {}
        self._muted_calls: set[int] = set()

    def nested(
        self,
        publish: Callable[[Event], None],
        base: Namespace,
        *,
        split: bool,
        base_only: bool,
        message_keys: Sequence[str] | None,
    ) -> MessagesHandler:
        """A handler for a graph invoked inside a node that streams messages itself."""
        return MessagesHandler(
            publish,
            self._run_id,
            base,
            split=split,
            # the enclosing call may want what happens deeper than this graph (subgraphs, observers)
            base_only=base_only and self._base_only,
            message_keys=message_keys,
            seen=self._seen,
            muted=self._muted,
        )

    def relayed(self, publish: Callable[[Event], None], base: Namespace, callbacks: Any) -> tuple[Any, Any]:
        """The handler and callbacks for a graph invoked inside a node that listens to nothing itself.

        That graph's events reach this handler's bus through the graph's own bus (relayed by the
        thread that runs it), so its tokens must take that route too: one route per task is what
        keeps a task's custom data and tokens in the order it made them. Same rules, same
        de-duplication as this handler; nothing changes when this handler ignores deeper graphs.
        """
        if self._base_only:
            return self, callbacks
        keys = None if self._keys is None else list(self._keys)
        handler = MessagesHandler(
            publish, self._run_id, base, message_keys=keys, seen=self._seen, muted=self._muted
        )
        return handler, with_handler(callbacks, handler)

    # -- langchain-core's streaming-handler protocol: pass output through --------------------------
    def tap_output_iter(self, run_id: UUID, output: Iterator[T]) -> Iterator[T]:
        return output

    def tap_output_aiter(self, run_id: UUID, output: AsyncIterator[T]) -> AsyncIterator[T]:
        return output

    # -- chat-model callbacks ----------------------------------------------------------------------
    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        checkpoint_ns = metadata.get("langgraph_checkpoint_ns") if metadata else None
        if not isinstance(checkpoint_ns, str) or metadata is None:
            return  # not called from a task of ours (a config built by hand, another framework)
        if tags and TAG_NOSTREAM in tags:
            self._muted_calls.add(run_id.int)
            return
        # the graph the task runs in: the task's checkpoint namespace minus its own segment
        ns = tuple(checkpoint_ns.split(_NS_SEP)[:-1])
        if self._base_only and ns != self._base:
            return
        meta = dict(metadata)
        user_tags = [t for t in tags if not t.startswith("seq:step")] if tags else []
        if user_tags:
            meta["tags"] = user_tags
        call = _Call(
            self._run_id,
            ns,
            meta.get("langgraph_step", 0),
            str(run_id),
            meta.get("langgraph_node", ""),
            meta,
        )
        self._calls[run_id.int] = call
        self._publish(
            LLMCallStarted(call.run_id, ns, call.step, call.call_id, call.node, tuple(user_tags), meta)
        )

    def on_llm_new_token(
        self,
        token: str | list[str | dict[str, Any]],
        *,
        chunk: GenerationChunk | ChatGenerationChunk | None = None,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        call = self._calls.get(run_id.int)
        if call is not None and chunk is not None:
            call.streamed = True
            self._publish(
                _tuple_new(
                    MessageChunk,
                    (
                        call.run_id,
                        call.ns,
                        call.step,
                        call.call_id,
                        call.node,
                        chunk.message,  # type: ignore[union-attr]  # chat runs only
                        call.meta,
                        "token",
                    ),
                )
            )

    def on_llm_end(
        self,
        response: LLMResult,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        key = run_id.int
        call = self._calls.pop(key, None)
        message = _first_message(response)
        if call is None:
            if key in self._muted_calls:
                self._muted_calls.discard(key)
                if message is not None:
                    self._muted.add(_message_id(message))
            return
        if message is not None:
            mid = _message_id(message)
            seen = self._seen_base if call.ns == self._base else self._seen
            if call.streamed:
                seen.add(mid)
                self._seen.add(mid)
            elif mid not in seen and mid not in self._muted:
                seen.add(mid)
                self._seen.add(mid)
                self._publish(
                    MessageChunk(
                        call.run_id,
                        call.ns,
                        call.step,
                        call.call_id,
                        call.node,
                        message,
                        call.meta,
                        "message",
                    )
                )
        self._publish(LLMCallFinished(call.run_id, call.ns, call.step, call.call_id, call.node, None))

    def on_llm_error(
        self,
        error: BaseException,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        key = run_id.int
        self._muted_calls.discard(key)
        call = self._calls.pop(key, None)
        if call is not None:
            self._publish(LLMCallFinished(call.run_id, call.ns, call.step, call.call_id, call.node, error))

    # -- called by the runner ----------------------------------------------------------------------
    @staticmethod
    def task_callbacks(callbacks: Any, config: dict[str, Any]) -> BaseCallbackManager:
        """See :func:`task_callbacks` (a method too, so the runner needs no import of this module)."""
        return task_callbacks(callbacks, config)

    def task_input(self, ns: Namespace, value: Any) -> None:
        """Count the messages in a task's input as seen (they are history, not news)."""
        at_base = ns == self._base
        if self._base_only and not at_base:
            return
        seen = self._seen
        base = self._seen_base if at_base and self._seen_base is not seen else None
        for item in _top_level_values(value):
            if isinstance(item, BaseMessage):
                items: Sequence[Any] = (item,)
            elif isinstance(item, list | tuple):
                items = item
            else:
                continue
            for message in items:
                if isinstance(message, BaseMessage) and message.id is not None:
                    seen.add(message.id)
                    if base is not None:
                        base.add(message.id)

    def node_output(self, run: Run, task: Task) -> None:
        """Emit the messages a finished task wrote that nobody has seen yet."""
        ns = run.ns
        at_base = ns == self._base
        if self._base_only and not at_base:
            return
        keys = self._keys
        seen_all = self._seen
        seen = self._seen_base if at_base else seen_all
        muted = self._muted
        meta: dict[str, Any] | None = None
        for key, value in task.writes:
            if keys is not None and key not in keys:
                continue
            if isinstance(value, BaseMessage):
                items: Sequence[Any] = (value,)
            elif isinstance(value, list | tuple):
                items = value
            else:
                continue
            for message in items:
                if not isinstance(message, BaseMessage) or isinstance(message, RemoveMessage):
                    continue
                mid = _message_id(message)
                if mid in seen or mid in muted:
                    continue
                seen.add(mid)
                seen_all.add(mid)
                if meta is None:
                    meta = _node_metadata(run, task)
                self._publish(
                    MessageChunk(self._run_id, ns, run.step, None, task.node.name, message, meta, "message")
                )


def task_callbacks(callbacks: Any, config: dict[str, Any]) -> BaseCallbackManager:
    """The callback manager a task's config carries: ``callbacks`` with the task's tags and metadata.

    A manager, not a list, because its tags and metadata are inherited by every run started under
    it even when a run is given its own config: ``model.with_config(metadata={...})`` or
    ``model.invoke(msgs, {"tags": [...]})`` replace the config's metadata and tags, and the
    ``langgraph_*`` keys (which tell the handler which task a call belongs to) must survive that.
    """
    tags = config.get("tags")
    metadata = _run_metadata(config["metadata"])
    if isinstance(callbacks, BaseCallbackManager):
        manager = callbacks.copy()
        if tags:
            manager.add_tags(list(tags))
        manager.add_metadata(metadata)
        return manager
    return CallbackManager(
        list(callbacks),
        list(callbacks),
        tags=list(tags) if tags else None,
        inheritable_tags=list(tags) if tags else None,
        metadata=metadata,
        inheritable_metadata=dict(metadata),
    )


def _run_metadata(task_meta: dict[str, Any]) -> dict[str, Any]:
    """The metadata LangGraph's callback runs carry for a task, in LangGraph's key order.

    LangGraph's graph-level callback manager holds the run config's metadata plus
    ``ls_integration='langgraph'``; each task's metadata is merged into it. So the keys a task
    inherits from the top-level config (those before ``langgraph_step``, see ``Run._static_config``)
    come first, then ``ls_integration``, then the task's keys. A chat model later overwrites
    ``ls_integration`` in place, which is why it shows there in ``messages`` metadata.
    """
    out: dict[str, Any] = {}
    for key, value in task_meta.items():
        if key == "langgraph_step":
            break
        out[key] = value
    out.setdefault("ls_integration", "langgraph")
    out.update(task_meta)
    return out


def with_handler(callbacks: Any, handler: MessagesHandler) -> Any:
    """``callbacks`` (None, a list of handlers, or a callback manager) plus ``handler``.

    Any other :class:`MessagesHandler` in them (an enclosing call's) is left out: the graph
    ``handler`` was made for reports to it alone.
    """
    return plus_handler(callbacks, handler, replacing=MessagesHandler)


def _key_set(message_keys: Sequence[str] | None) -> frozenset[str] | None:
    if message_keys is None:
        return None
    if isinstance(message_keys, str):
        return frozenset((message_keys,))
    keys = frozenset(message_keys)
    bad = [k for k in keys if not isinstance(k, str)]
    if bad:
        raise TypeError(f"message_keys must be state key names (str); got {bad[0]!r}")
    return keys


def _message_id(message: BaseMessage) -> str:
    """The message's id, after giving it a fresh uuid4 (in place) if it had none."""
    mid = message.id
    if mid is None:
        mid = message.id = str(uuid.uuid4())
    return mid


def _first_message(response: LLMResult) -> BaseMessage | None:
    generations = response.generations
    if generations and generations[0]:
        generation = generations[0][0]
        if isinstance(generation, ChatGeneration):
            return generation.message
    return None


def _top_level_values(value: Any) -> Sequence[Any]:
    """A state's top-level values: of a dict, a pydantic model or a dataclass instance."""
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, BaseModel):
        return [getattr(value, name) for name in type(value).model_fields]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    return ()


def _node_metadata(run: Run, task: Task) -> dict[str, Any]:
    """LangGraph's node-output metadata: the task's run metadata (see :func:`_run_metadata`)."""
    ctx = task.ctx
    config = ctx.config if ctx is not None and ctx.config else run.task_config(task)
    return _run_metadata(config.get("metadata") or {})
