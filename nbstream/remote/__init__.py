"""Watch runs on a LangGraph Server in nbstream's views: ``stream``/``astream`` that also feed observers.

::

    from langgraph_sdk import get_sync_client
    import nbstream.remote
    from nbstream.widgets import RunView

    client = get_sync_client(url="http://127.0.0.1:2024")
    for part in nbstream.remote.stream(client, thread_id, "agent", input=inputs,
                                       stream_mode=["updates"], observers=[RunView()]):
        ...  # exactly the parts client.runs.stream(thread_id, "agent", input=inputs,
             # stream_mode=["updates"]) yields

The server runs the graph; nbstream asks its stream for what the views need besides the caller's
modes and turns the SDK's parts into nbstream's events, with the translation local LangGraph runs
use (:mod:`nbstream.langgraph`), so a remote run looks like a local one in a ``RunView``.
``join_stream`` joins a run in progress, or continues one whose stream broke; ``dev_server``
starts ``langgraph dev`` for a ``langgraph.json`` (notebooks, tests). Errors: :mod:`._errors`.

Needs the optional extra ``pip install nbstream[remote]`` (langgraph-sdk, and LangGraph for the
shared translation). ``import nbstream`` never imports this module.
"""

from __future__ import annotations

try:
    import langgraph.pregel  # noqa: F401
    import langgraph_sdk  # noqa: F401
except ImportError as error:  # pragma: no cover - the extra is installed where tests run
    raise ImportError(
        "nbstream.remote needs langgraph-sdk and LangGraph: pip install nbstream[remote]"
    ) from error

from nbstream.remote._errors import (
    AssistantNotFoundError,
    RemoteError,
    RemoteRequestError,
    RemoteRunError,
    ServerUnreachableError,
    StreamBrokenError,
)
from nbstream.remote._server import DevServer, dev_server, free_port, server_python, start_dev_server
from nbstream.remote._stream import ajoin_stream, astream, join_stream, stream
from nbstream.remote._thread import RemoteSnapshot, RemoteThread

__all__ = [
    "stream",
    "astream",
    "join_stream",
    "ajoin_stream",
    "RemoteThread",
    "RemoteSnapshot",
    "dev_server",
    "start_dev_server",
    "server_python",
    "free_port",
    "DevServer",
    "RemoteError",
    "ServerUnreachableError",
    "AssistantNotFoundError",
    "RemoteRequestError",
    "StreamBrokenError",
    "RemoteRunError",
]
