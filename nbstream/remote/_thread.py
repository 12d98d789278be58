"""The :class:`~nbstream.events.ThreadControl` of a paused server thread: a view's buttons act on it.

Resuming and forking run the thread on the server through :func:`nbstream.remote.stream`, with the
observers of the run that paused, so the view that shows the pause shows the resumed run too. A
button click runs in the kernel's thread, which cannot wait on an async client there: the async
client's thread acts through a sync client made for the same URL and headers.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from nbstream.remote._parts import as_interrupt, as_task

__all__ = ["RemoteThread", "RemoteSnapshot"]


class RemoteSnapshot(NamedTuple):
    """One checkpoint of a server thread, with the fields of LangGraph's ``StateSnapshot``."""

    values: Any
    next: tuple[str, ...]
    config: dict[str, Any]
    metadata: dict[str, Any]
    created_at: str
    parent_config: dict[str, Any] | None
    tasks: tuple[Any, ...]
    interrupts: tuple[Any, ...]


def _config(thread_id: str, checkpoint: dict[str, Any] | None) -> dict[str, Any] | None:
    if not checkpoint:
        return None
    return {"configurable": {"thread_id": thread_id, **checkpoint}}


class RemoteThread:
    """A thread on a LangGraph Server that a view may resume, fork or read the history of."""

    def __init__(
        self, client: Any, thread_id: str, assistant_id: str, observers: list[Any], kwargs: dict[str, Any]
    ) -> None:
        self.client = client
        self.thread_id = thread_id
        self.assistant_id = assistant_id
        self.observers = observers
        self._kwargs = kwargs

    def _sync_client(self) -> Any:
        from langgraph_sdk.client import SyncLangGraphClient, get_sync_client

        if isinstance(self.client, SyncLangGraphClient):
            return self.client
        http = self.client.http.client
        return get_sync_client(url=str(http.base_url).rstrip("/"), headers=dict(http.headers))

    def resume(self, value: Any) -> None:
        """Resume the thread with ``command={"resume": value}``."""
        from nbstream.remote._stream import stream

        for _ in stream(
            self._sync_client(),
            self.thread_id,
            self.assistant_id,
            command={"resume": value},
            observers=self.observers,
            **self._kwargs,
        ):
            pass

    def fork(self, config: dict[str, Any]) -> None:
        """Run the thread on from the checkpoint ``config`` addresses."""
        from nbstream.remote._stream import stream

        checkpoint = {k: v for k, v in config.get("configurable", {}).items() if k != "thread_id"}
        for _ in stream(
            self._sync_client(),
            self.thread_id,
            self.assistant_id,
            checkpoint=checkpoint,
            observers=self.observers,
            **self._kwargs,
        ):
            pass

    def history(self) -> list[Any]:
        """The thread's checkpoints, newest first, as :class:`RemoteSnapshot` values."""
        states = self._sync_client().threads.get_history(self.thread_id, limit=100)
        return [
            RemoteSnapshot(
                values=state.get("values"),
                next=tuple(state.get("next") or ()),
                config=_config(self.thread_id, state.get("checkpoint")) or {},
                metadata=dict(state.get("metadata") or {}),
                created_at=str(state.get("created_at") or ""),
                parent_config=_config(self.thread_id, state.get("parent_checkpoint")),
                tasks=tuple(as_task(task) for task in state.get("tasks") or ()),
                interrupts=tuple(as_interrupt(item) for item in state.get("interrupts") or ()),
            )
            for state in states
        ]
