"""An OpenAI-compatible chat-completions endpoint on 127.0.0.1, for the AI tests and the bench.

HTTP/1.1 with keep-alive, on asyncio in a thread of its own: requests that wait (``latency``)
wait side by side, as they would at a real endpoint, without a thread per connection. Bodies
must come with Content-Length (httpx sends it; chunked uploads are not understood).

By default each request is answered with a valid judgment of the item in its last user message.
A test scripts other answers: ``replies`` are used first, one a request, then ``reply_with``
(which may return None for the default). An answer is ``(status, headers, body)`` (a dict body
is sent as JSON), ``"hang"`` (say nothing until the client gives up) or ``"close"`` (drop the
connection unanswered).
"""

import asyncio
import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

from feedkb.ai.prompt import ITEM_END, ITEM_START

PATH = "/v1/chat/completions"
PROMPT_TOKENS, COMPLETION_TOKENS = 120, 30  # the usage every completion reports

Canned = tuple[int, dict[str, str], dict | str | bytes] | Literal["hang", "close"]


@dataclass(frozen=True)
class Request:
    target: str  # "POST /v1/chat/completions"
    headers: dict[str, str]  # names in lower case
    body: dict[str, Any]

    @property
    def item(self) -> dict[str, Any]:
        """The item the request asks about: the JSON block in its last user message."""
        text = [m for m in self.body["messages"] if m["role"] == "user"][-1]["content"]
        return json.loads(text.split(ITEM_START, 1)[1].split(ITEM_END, 1)[0])


def completion(content: str) -> Canned:
    """A 200 answer carrying ``content`` as the assistant's message, as OpenAI sends it."""
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": PROMPT_TOKENS,
            "completion_tokens": COMPLETION_TOKENS,
            "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
        },
    }
    return 200, {}, body


def judgment_of(item: dict[str, Any]) -> dict[str, Any]:
    """A plausible, valid judgment: a deal when the title reports a financing, else news."""
    title = item.get("title", "")
    if "融资" in title or "raises" in title.lower():
        deal = {"company": title[:20], "round": None, "amount": None, "investors": []}
        value, takeaway = "deal", "又一家公司完成融资，值得投资人关注"
    else:
        deal, value, takeaway = None, "news", "行业动态，成员值得一读"
    return {
        "values": [{"value": value, "confidence": 0.9, "reason": "标题所述"}],
        "deal": deal,
        "takeaway": takeaway,
    }


class ChatServer:
    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency  # seconds before each answer
        self.replies: deque[Canned] = deque()
        self.reply_with: Callable[[Request], Canned | None] = lambda _request: None
        self.requests: list[Request] = []
        self.busy = self.most_busy = 0  # requests being answered now, and at most
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        start = asyncio.start_server(self._serve, "127.0.0.1", 0)
        self._server = asyncio.run_coroutine_threadsafe(start, self._loop).result()
        self.port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    async def _shutdown(self) -> None:
        # Connections still open (a client that keeps them alive, a hang) end here too.
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while request := await _read_request(reader):
                self.requests.append(request)
                self.busy += 1
                self.most_busy = max(self.most_busy, self.busy)
                try:
                    answer = await self._answer(request, reader)
                finally:
                    self.busy -= 1
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away mid-request
        finally:
            writer.close()

    async def _answer(self, request: Request, reader: asyncio.StreamReader) -> bytes | None:
        """The bytes to send, or None to close the connection unanswered."""
        if request.target != f"POST {PATH}":
            return _response(404, {}, {"error": {"message": f"only POST {PATH} is served"}})
        canned = self.replies.popleft() if self.replies else self.reply_with(request)
        await asyncio.sleep(self.latency)
        if canned == "hang":
            await reader.read()  # until the client times out and closes
            return None
        if canned == "close":
            return None
        if canned is None:
            canned = completion(json.dumps(judgment_of(request.item), ensure_ascii=False))
        return _response(*canned)


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    """The next request on a connection, or None when the client has closed it."""
    line = await reader.readline()
    if not line:
        return None
    method, path, _version = line.decode("latin-1").split(" ", 2)
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", 0)))
    return Request(f"{method} {path}", headers, json.loads(body) if body else {})


def _response(status: int, headers: dict[str, str], body: dict | str | bytes) -> bytes:
    if isinstance(body, dict):
        body = json.dumps(body, ensure_ascii=False)
    data = body.encode() if isinstance(body, str) else body
    lines = [
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
        "Content-Type: application/json",
        f"Content-Length: {len(data)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data
