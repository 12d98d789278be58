"""A LangChain callback handler: what LangGraph's stream does not say, from the runs themselves.

LangGraph's ``messages`` mode gives tokens but not where a chat model call begins and ends, and
its ``tasks`` mode gives no times. This handler hears both from langchain-core's callbacks (the
node's own chain run, the chat model runs inside it), in whatever thread they run, and leaves
the events in a deque the watcher drains in the caller's thread before each part it handles.

When the watcher does not ask LangGraph for ``messages``, LangGraph's messages handler is given
to the run too, with :meth:`RunCallbacks.message_part` as its stream: a part made in the caller's
thread (a node LangGraph runs there, the one task of its step) goes to the watcher at once, so
tokens show as they come; one made on a pool thread waits in the deque for the next part.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langgraph.pregel._messages import StreamMessagesHandler, graph_namespace

from nbstream.events import Event, LLMCallFinished, LLMCallStarted

__all__ = ["MessagePart", "RunCallbacks", "HeardMessages"]


class MessagePart:
    """A ``messages`` part LangGraph's handler made on another thread, waiting in the deque."""

    __slots__ = ("ns", "payload")

    def __init__(self, ns: tuple[str, ...], payload: Any) -> None:
        self.ns = ns
        self.payload = payload


class RunCallbacks(BaseCallbackHandler):
    """Collects LLM call boundaries and node start/end times of one watched run."""

    run_inline = True  # called in the thread that runs the node, in order

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        #: events for the watcher, published from any thread (deque appends are atomic)
        self.pending: deque[Event | MessagePart] = deque()
        #: the watcher's feed, for a ``messages`` part made in the caller's thread (set by the run)
        self.feed_now: Callable[[tuple[str, ...], str, Any], None] | None = None
        self._caller = threading.get_ident()
        #: chat model calls seen so far (run id as a string -> ns, step, node), for MessageChunk.call_id
        self.calls: dict[str, tuple[tuple[str, ...], int, str]] = {}
        #: task id -> (start, end) monotonic times of the node's own run
        self.times: dict[str, list[float]] = {}
        self._tasks: dict[UUID, str] = {}

    def message_part(self, part: tuple[tuple[str, ...], str, Any]) -> None:
        """The stream of LangGraph's messages handler: ``(ns, "messages", (message, metadata))``."""
        ns, _, payload = part
        if self.feed_now is not None and threading.get_ident() == self._caller:
            self.feed_now(ns, "messages", payload)
        else:
            self.pending.append(MessagePart(ns, payload))

    # -- node runs: times ---------------------------------------------------------------

    def on_chain_start(
        self,
        serialized: Any,
        inputs: Any,
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if metadata is None or kwargs.get("name") != metadata.get("langgraph_node"):
            return
        task_ns = metadata.get("langgraph_checkpoint_ns", "")
        task_id = task_ns.rpartition("|")[2].partition(":")[2]
        if task_id:
            self._tasks[run_id] = task_id
            self.times[task_id] = [time.monotonic()]

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.ended(run_id)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self.ended(run_id)

    def ended(self, run_id: UUID) -> None:
        task_id = self._tasks.pop(run_id, None)
        if task_id is not None:
            self.times[task_id].append(time.monotonic())

    def duration(self, task_id: str) -> float:
        """How long the task's node ran, in seconds; NaN when its callbacks did not say."""
        times = self.times.pop(task_id, None)
        return times[1] - times[0] if times is not None and len(times) == 2 else float("nan")

    # -- chat model calls -----------------------------------------------------------------

    def on_chat_model_start(
        self,
        serialized: Any,
        messages: Any,
        *,
        run_id: UUID,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if metadata is None or "langgraph_checkpoint_ns" not in metadata:
            return
        call_id = str(run_id)
        where = (
            graph_namespace(metadata),
            int(metadata.get("langgraph_step", 0)),
            str(metadata.get("langgraph_node", "")),
        )
        self.calls[call_id] = where
        ns, step, node = where
        self.pending.append(LLMCallStarted(self.run_id, ns, step, call_id, node, tuple(tags or ()), metadata))

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.call_ended(run_id, None)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self.call_ended(run_id, error)

    def call_ended(self, run_id: UUID, error: BaseException | None) -> None:
        call_id = str(run_id)
        where = self.calls.get(call_id)
        if where is not None:
            ns, step, node = where
            self.pending.append(LLMCallFinished(self.run_id, ns, step, call_id, node, error))


class HeardMessages(StreamMessagesHandler):
    """LangGraph's ``messages`` handler streaming to the watcher, that also tells ``calls`` what it hears.

    Given to a run the caller did not ask ``messages`` of, instead of both handlers: langchain-core
    calls every handler of a run for every node's start and end, and the second handler cost a
    run of quick nodes about 3% more. LangGraph's own class (see the module docstring), so chat
    models stream to it and LangGraph treats it as its own; ``calls`` hears each callback first,
    as it did when it was the first of two handlers.
    """

    def __init__(self, calls: RunCallbacks) -> None:
        super().__init__(calls.message_part, True)
        self.calls = calls

    def on_chain_start(
        self,
        serialized: Any,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.calls.on_chain_start(serialized, inputs, run_id=run_id, metadata=metadata, **kwargs)
        super().on_chain_start(
            serialized,
            inputs,
            run_id=run_id,
            parent_run_id=parent_run_id,
            tags=tags,
            metadata=metadata,
            **kwargs,
        )

    # langchain-core names the first argument ``outputs``, LangGraph's class ``response``; both
    # are passed it by position
    def on_chain_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:  # type: ignore[override]
        self.calls.ended(run_id)
        super().on_chain_end(response, run_id=run_id, **kwargs)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self.calls.ended(run_id)
        super().on_chain_error(error, run_id=run_id, **kwargs)

    def on_chat_model_start(
        self,
        serialized: Any,
        messages: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.calls.on_chat_model_start(serialized, messages, run_id=run_id, tags=tags, metadata=metadata)
        super().on_chat_model_start(
            serialized,
            messages,
            run_id=run_id,
            parent_run_id=parent_run_id,
            tags=tags,
            metadata=metadata,
            **kwargs,
        )

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.calls.call_ended(run_id, None)
        super().on_llm_end(response, run_id=run_id, **kwargs)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self.calls.call_ended(run_id, error)
        super().on_llm_error(error, run_id=run_id, **kwargs)
