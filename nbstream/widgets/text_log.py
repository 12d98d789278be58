"""A compact text progress log of a run, for terminals and scripts (no kernel, no widgets).

One line per node end (done, error or cancelled), per finished LLM call (with its token count),
per finished tool call and per run end; nothing per token. A run that pauses on interrupts prints
what it asks (answer it in code with ``Command(resume=...)``), and a run that continues a thread
what resumed it. The views use it when no Jupyter kernel is running, and it is an observer on its
own::

    graph.invoke(inputs, observers=[TextProgressLog()])
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO, Any

from nbstream.events import (
    Event,
    LLMCallFinished,
    LLMCallStarted,
    MessageChunk,
    RunFailed,
    RunFinished,
    RunInterrupted,
    RunResumed,
    RunStarted,
    TaskFinished,
    TaskRetrying,
    TaskStarted,
    ToolCallFinished,
    ToolCallStarted,
)
from nbstream.widgets._format import error_text, preview
from nbstream.widgets._html import duration_text
from nbstream.widgets.models import NamespaceIndex, path_label

__all__ = ["TextProgressLog"]


class TextProgressLog:
    """Prints one line per node end, LLM call end, tool call end and run end to ``file`` (stderr).

    ``nodes``/``llm_calls``/``tool_calls`` switch those lines off; ``show_timings`` adds durations
    and rates.
    """

    def __init__(
        self,
        file: IO[str] | None = None,
        *,
        nodes: bool = True,
        llm_calls: bool = True,
        tool_calls: bool = True,
        show_timings: bool = True,
        prefix: str = "[nbstream] ",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._file = file
        self.nodes = nodes
        self.llm_calls = llm_calls
        self.tool_calls = tool_calls
        self.wants_tool_calls = tool_calls
        self.show_timings = show_timings
        self.prefix = prefix
        self._clock = clock
        self._index = NamespaceIndex()
        self._graph = "graph"
        self._started = 0.0
        self._steps = 0
        self._calls: dict[str, list[float]] = {}  # call id -> [tokens, start time]
        self._tools: dict[str, str] = {}  # tool call id -> tool name
        self._handlers: dict[type[Event], Callable[[Any], None]] = {
            MessageChunk: self._chunk,
            TaskStarted: self._task_started,
            TaskFinished: self._task_finished,
            TaskRetrying: self._task_retrying,
            LLMCallStarted: self._call_started,
            LLMCallFinished: self._call_finished,
            ToolCallStarted: self._tool_started,
            ToolCallFinished: self._tool_finished,
            RunStarted: self._run_started,
            RunFinished: self._run_ended,
            RunFailed: self._run_ended,
            RunInterrupted: self._run_paused,
            RunResumed: self._run_resumed,
        }

    def __call__(self, event: Event) -> None:
        self.on_event(event)

    def on_event(self, event: Event) -> None:
        """Take one event; print if it ends something."""
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    def _chunk(self, event: MessageChunk) -> None:
        counts = self._calls.get(event.call_id or "")
        if counts is not None and event.kind == "token":
            counts[0] += 1

    def _task_started(self, event: TaskStarted) -> None:
        self._index.task_started(event.ns, event.task_id, event.node)
        if not event.ns:
            self._steps = max(self._steps, event.step)

    def _call_started(self, event: LLMCallStarted) -> None:
        if self.llm_calls:
            self._calls[event.call_id] = [0.0, self._clock()]

    def _run_started(self, event: RunStarted) -> None:
        if event.ns:
            return
        self._graph = event.graph_name
        self._started = self._clock()
        self._steps = 0
        self._calls.clear()
        self._tools.clear()
        self._index = NamespaceIndex()
        self._print(f"{self._graph}: started")

    def _print(self, line: str) -> None:
        out = self._file if self._file is not None else sys.stderr
        print(f"{self.prefix}{line}", file=out, flush=True)

    def _task_finished(self, event: TaskFinished) -> None:
        if not self.nodes:
            return
        where = path_label(self._index.task_path(event.ns, event.task_id, event.node))
        if event.cancelled:
            outcome = "cancelled"
        elif event.error is not None:
            outcome = f"error {error_text(event.error)}"
        else:
            outcome = "done"
        took = f" ({duration_text(event.duration)})" if self.show_timings else ""
        self._print(f"{self._graph}: step {event.step} {where} {outcome}{took}")

    def _task_retrying(self, event: TaskRetrying) -> None:
        if not self.nodes:
            return
        where = path_label(self._index.task_path(event.ns, event.task_id, event.node))
        self._print(
            f"{self._graph}: step {event.step} {where} retrying (try {event.attempt}) after "
            f"{error_text(event.error)}"
        )

    def _call_finished(self, event: LLMCallFinished) -> None:
        counts = self._calls.pop(event.call_id, None)
        if counts is None:
            return
        where = path_label((*self._index.path(event.ns), event.node))
        tokens = int(counts[0])
        outcome = "done" if event.error is None else f"error {error_text(event.error)}"
        rate = ""
        if self.show_timings:
            elapsed = self._clock() - counts[1]
            rate = f" ({tokens / elapsed:.0f} tok/s)" if elapsed > 0 else ""
        self._print(f"{self._graph}: LLM call in {where} {outcome}, {tokens} tokens{rate}")

    def _tool_started(self, event: ToolCallStarted) -> None:
        if self.tool_calls:
            self._tools[event.call_id] = event.tool

    def _tool_finished(self, event: ToolCallFinished) -> None:
        tool = self._tools.pop(event.call_id, None)
        if tool is None:
            return
        where = path_label(self._index.task_path(event.ns, event.task_id, event.node))
        failed = getattr(event.result, "status", None) == "error" and hasattr(event.result, "tool_call_id")
        if event.error is not None:
            outcome = f"error {error_text(event.error)}"
        elif failed:
            outcome = f"error {preview(event.result.content, 80)}"
        else:
            outcome = "done"
        took = f" ({duration_text(event.duration)})" if self.show_timings else ""
        self._print(f"{self._graph}: step {event.step} {where} tool {tool} {outcome}{took}")

    def _run_ended(self, event: RunFinished | RunFailed) -> None:
        if event.ns:
            return
        took = f", {duration_text(self._clock() - self._started)}" if self.show_timings else ""
        if isinstance(event, RunFailed):
            outcome = "cancelled" if event.cancelled else f"failed: {error_text(event.error)}"
        else:
            outcome = "done"
        self._print(f"{self._graph}: {outcome} after {self._steps} steps{took}")

    def _run_paused(self, event: RunInterrupted) -> None:
        if event.ns:
            return
        took = f", {duration_text(self._clock() - self._started)}" if self.show_timings else ""
        count = len(event.interrupts)
        if not count:
            self._print(f"{self._graph}: paused at a breakpoint after {self._steps} steps{took}")
            return
        noun = "interrupt" if count == 1 else "interrupts"
        self._print(f"{self._graph}: waiting for an answer to {count} {noun} after {self._steps} steps{took}")
        for i, item in enumerate(event.interrupts, 1):
            self._print(f"  {i}. {preview(getattr(item, 'value', item), 200)}")

    def _run_resumed(self, event: RunResumed) -> None:
        if not event.ns:
            said = "continued" if event.resume is None else f"resumed with {preview(event.resume, 100)}"
            self._print(f"{self._graph}: {said}")
