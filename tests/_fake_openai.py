"""A small OpenAI-compatible chat-completions server on 127.0.0.1, for real-client tests.

``POST /v1/chat/completions`` answers with a script picked by the request's ``model`` field:

* ``"text"``  the words of :attr:`FakeOpenAI.reply`, one per delta (SSE with ``"stream": true``,
  one JSON response otherwise);
* ``"tool"``  a call of :attr:`FakeOpenAI.tool_name` whose JSON arguments arrive in several deltas;
* ``"error"`` two words, then an SSE ``error`` object (the client raises ``openai.APIError``);
* ``"cut"``   two words, then the connection is dropped in the middle of the chunked body.

Every request body is kept in :attr:`FakeOpenAI.requests`. Streaming replies use chunked transfer
encoding, as real servers do, so a dropped connection is an incomplete body to the client.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeOpenAI"]


class FakeOpenAI:
    """The server, running on a daemon thread until :meth:`close`."""

    def __init__(self, reply: str = "Why did the cat sit on the computer?") -> None:
        self.reply = reply
        self.tool_name = "get_weather"
        self.tool_arguments = ['{"ci', 'ty": "Pa', 'ris"}']
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    @property
    def words(self) -> list[str]:
        """The reply as the deltas it is streamed in: each word, the later ones with a leading space."""
        parts = self.reply.split(" ")
        return [parts[0], *(f" {p}" for p in parts[1:])]


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.fake.requests.append(body)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
            return
        script = body.get("model", "text")
        if body.get("stream"):
            self._stream(script)
        else:
            self._complete(script)

    # -- one JSON response ----------------------------------------------------------------------
    def _complete(self, script: str) -> None:
        message: dict[str, Any] = {"role": "assistant", "content": self.fake.reply}
        finish = "stop"
        if script == "tool":
            message = {"role": "assistant", "content": None, "tool_calls": [self._tool_call()]}
            finish = "tool_calls"
        self._json(
            200,
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 1700000000,
                "model": script,
                "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
            },
        )

    def _tool_call(self) -> dict[str, Any]:
        return {
            "id": "call_fake_1",
            "type": "function",
            "function": {"name": self.fake.tool_name, "arguments": "".join(self.fake.tool_arguments)},
        }

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # -- server-sent events ---------------------------------------------------------------------
    def _stream(self, script: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        send = self._send_event
        send(_chunk(script, {"role": "assistant", "content": ""}))
        if script == "tool":
            call = self._tool_call()
            first = {**call, "index": 0, "function": {"name": call["function"]["name"], "arguments": ""}}
            send(_chunk(script, {"tool_calls": [first]}))
            for part in self.fake.tool_arguments:
                send(_chunk(script, {"tool_calls": [{"index": 0, "function": {"arguments": part}}]}))
            send(_chunk(script, {}, "tool_calls"))
        elif script in ("error", "cut"):
            for word in self.fake.words[:2]:
                send(_chunk(script, {"content": word}))
            if script == "cut":
                self.wfile.flush()
                self.close_connection = True
                return  # no terminating zero-length chunk: the body is incomplete
            send({"error": {"message": "the upstream model crashed", "type": "server_error", "code": None}})
        else:
            for word in self.fake.words:
                send(_chunk(script, {"content": word}))
            send(_chunk(script, {}, "stop"))
        self._send_raw(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _send_event(self, payload: dict[str, Any]) -> None:
        self._send_raw(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _send_raw(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()
