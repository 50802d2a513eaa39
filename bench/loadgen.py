"""A small, bounded HTTP/1.1 load generator on asyncio (loopback only, no dependencies).

Each virtual user has its own cookie jar (its own logged-in session) and sends one request
after the other; a run stops at a fixed duration or a fixed number of requests, whichever
comes first. Keep-alive is used when the server offers it (gunicorn's sync workers close
the connection after every response, so then each request opens a new connection, as wrk
would). Latency is measured from opening the connection to the last byte of the response.
"""

import asyncio
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

LOOPBACK = "127.0.0.1"


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Session:
    """One virtual user: a cookie jar and (when the server keeps it) an open connection."""

    def __init__(self, port: int, host: str = LOOPBACK):
        if host != LOOPBACK:
            raise ValueError("the benchmark drives loopback servers only")
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    def copy(self) -> "Session":
        twin = Session(self.port, self.host)
        twin.cookies = dict(self.cookies)
        return twin

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except OSError:
                pass
        self._reader = self._writer = None

    async def request(self, method: str, path: str, form: dict | None = None) -> Response:
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "User-Agent: ledenportaal-bench/1", "Accept: text/html",
                 "Accept-Language: nl-BE,nl;q=0.9"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded",
                      f"Content-Length: {len(body)}"]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        for attempt in (1, 2):
            fresh = self._writer is None
            if fresh:
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            try:
                self._writer.write(raw)
                await self._writer.drain()
                response = await self._read_response()
                break
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if fresh or attempt == 2:
                    raise
        self._remember_cookies(response)
        connection = (response.header("Connection") or "").lower()
        if connection == "close":
            await self.close()
        return response

    async def _read_response(self) -> Response:
        reader = self._reader
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        headers = []
        for line in header_lines:
            if ":" in line:
                key, value = line.split(":", 1)
                headers.append((key.strip(), value.strip()))
        response = Response(status, headers, b"")
        length = response.header("Content-Length")
        if length is not None:
            response.body = await reader.readexactly(int(length))
        elif (response.header("Transfer-Encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            response.body = b"".join(chunks)
        else:
            response.body = await reader.read()
            await self.close()
        return response

    def _remember_cookies(self, response: Response) -> None:
        for key, value in response.headers:
            if key.lower() != "set-cookie":
                continue
            name, _, rest = value.partition("=")
            cookie_value = rest.split(";", 1)[0]
            expired = re.search(r"expires=Thu, 01 Jan 1970|max-age=0\b", value, re.I)
            if expired or cookie_value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = cookie_value


@dataclass
class Result:
    """Latencies (seconds) and outcome of one bounded run against one page."""

    label: str
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    body_bytes: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
        return ordered[index]

    def merge(self, other: "Result") -> None:
        self.latencies += other.latencies
        self.elapsed += other.elapsed
        self.errors += other.errors
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.body_bytes = max(self.body_bytes, other.body_bytes)


async def drive(
    sessions: list[Session],
    path: str,
    *,
    duration: float,
    max_requests: int,
    label: str = "",
    expect: int = 200,
    stop: asyncio.Event | None = None,
    min_duration: float = 0.0,
) -> Result:
    """Send GET `path` from every session, one request at a time each, until `duration`
    seconds or `max_requests` requests in all (or `stop` is set after `min_duration`)."""
    result = Result(label or path)
    started = time.perf_counter()
    deadline = started + duration
    budget = [max_requests]

    async def user(session: Session) -> None:
        while budget[0] > 0:
            now = time.perf_counter()
            if now >= deadline:
                return
            if stop is not None and stop.is_set() and now - started >= min_duration:
                return
            budget[0] -= 1
            t0 = time.perf_counter()
            try:
                response = await session.request("GET", path)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                result.errors += 1
                await session.close()
                continue
            latency = time.perf_counter() - t0
            result.statuses[response.status] = result.statuses.get(response.status, 0) + 1
            if response.status != expect:
                result.errors += 1
                continue
            result.latencies.append(latency)
            result.body_bytes = len(response.body)

    await asyncio.gather(*(user(session) for session in sessions))
    result.elapsed = time.perf_counter() - started
    for session in sessions:
        await session.close()
    return result


def hidden_inputs(html: str) -> dict[str, str]:
    """The hidden fields of a page's forms (CSRF token and the like)."""
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", html, re.I):
        if re.search(r'type="hidden"', tag, re.I):
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                fields[name.group(1)] = value.group(1) if value else ""
    return fields


def text_inputs(html: str) -> list[str]:
    """Names of the visible text-like inputs of a page (for a one-time code, for instance)."""
    names = []
    for tag in re.findall(r"<input\b[^>]*>", html, re.I):
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1).lower() not in ("text", "number", "tel"):
            continue
        name = re.search(r'name="([^"]+)"', tag)
        if name:
            names.append(name.group(1))
    return names
