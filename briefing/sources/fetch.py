"""Fetch a URL within the rules: http(s) only, public addresses only, bounded in time and size.

Every hop is checked before it is connected to: the scheme, then every address the host resolves
to. The request then goes to the address that was checked (the host name travels in the Host
header and TLS SNI), so a name cannot resolve to a public address for the check and a private one
for the connection. Redirects are followed here, at most ``MAX_REDIRECTS``, each checked again.
Bodies are streamed and decompressed here under two caps, so neither a huge response nor a gzip
bomb is ever held in memory. Anything that breaks a rule raises ``FetchError`` with the reason.

One wall-clock deadline covers the whole fetch: connecting, the status line and headers, the body
and every redirect. httpx has only per-operation timeouts, which a server sending one byte every
few seconds never trips, so ``DeadlineTransport`` gives every socket operation at most the time
left before the deadline of the fetch under way (a context variable ``fetch_url`` sets).
"""

import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpcore
import httpx

from briefing.errors import FetchError

# Defined apart (a worker parsing feeds needs them, not httpx); imported from here as before.
from briefing.sources.limits import FetchLimits as FetchLimits
from briefing.sources.limits import Validators as Validators
from briefing.sources.text import short_text

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
USER_AGENT = "us-japan-space-briefing/0.1 (weekly feed reader)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
# The only encodings this module can decompress under a cap; nothing else is asked for.
ACCEPT_ENCODING = "gzip, deflate"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Fetched:
    """A response that passed every rule: 200 with its decoded body, or 304 with none."""

    url: str
    status: int
    body: bytes
    bytes_received: int
    content_type: str | None
    validators: Validators

    @property
    def not_modified(self) -> bool:
        """Whether the server said the resource has not changed since the validators."""
        return self.status == 304


# Cloud metadata services, refused whatever is allowed: AWS's IPv6 address is a private (ULA)
# one, Alibaba's in the shared address space; the IPv4 link-local one is refused as link-local.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)


@dataclass(frozen=True)
class PrivateHosts:
    """The hosts a page may be fetched from at a loopback or private address, by name: each
    ``host:port`` (that port only) or ``host`` (any port), compared without case."""

    names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, urls: Iterable[str], names: Iterable[str] = ()) -> "PrivateHosts":
        """The origins (host and port) of the URLs, and the names given."""
        found = {origin_of(httpx.URL(url)) for url in urls}
        return cls(frozenset({*found, *(name.strip().lower() for name in names if name.strip())}))

    def allows(self, url: httpx.URL) -> bool:
        """Whether the URL's host (or host and port) is one of the names."""
        return origin_of(url) in self.names or url.host.lower() in self.names


def origin_of(url: httpx.URL) -> str:
    """A URL's ``host:port``, the scheme's port when it names none."""
    port = url.port or (443 if url.scheme == "https" else 80)
    host = url.host.lower()
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


FEEDS_ALLOWED_BY = "allowed only with --allow-private-network or BRIEFING_ALLOW_PRIVATE_NETWORK"
PAGES_ALLOWED_BY = "not a feed's host: name it in BRIEFING_PRIVATE_HOSTS"


def address_refusal(
    address: IPAddress, *, allow_private_network: bool, allowed_by: str = FEEDS_ALLOWED_BY
) -> str | None:
    """Why a feed may not be fetched from an address, or None when it may.

    Loopback and private addresses are allowed only on request; link-local (where cloud metadata
    services live), multicast, reserved and unspecified addresses, and the metadata services'
    own addresses never are.
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_link_local:
        return f"{address} is a link-local address"
    if address in METADATA_ADDRESSES:
        return f"{address} is a cloud metadata address"
    if address.is_multicast or address.is_unspecified:
        return f"{address} is not a unicast address"
    if address.is_reserved and not address.is_loopback:
        return f"{address} is a reserved address"
    if address.is_loopback or address.is_private or not address.is_global:
        if allow_private_network:
            return None
        return f"{address} is a loopback or private address ({allowed_by})"
    return None


def resolve_addresses(host: str, port: int) -> list[IPAddress]:
    """Every address a host name resolves to, in the resolver's order (an IP literal is itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}", transient=True) from exc
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def checked_addresses(
    url: httpx.URL, *, allow_private_network: bool, allowed_by: str = FEEDS_ALLOWED_BY
) -> list[IPAddress]:
    """The addresses a URL may be fetched from; FetchError if the scheme or any address is refused.

    One refused address refuses the host: a name that mixes public and private addresses is not
    trusted.
    """
    if url.scheme not in {"http", "https"}:
        raise FetchError(f"only http and https URLs are fetched, not {url.scheme or 'no'} scheme")
    if not url.host:
        raise FetchError(f"{url} has no host")
    addresses = resolve_addresses(url.host, url.port or (443 if url.scheme == "https" else 80))
    if not addresses:
        raise FetchError(f"{url.host} resolves to no address", transient=True)
    for address in addresses:
        refusal = address_refusal(
            address, allow_private_network=allow_private_network, allowed_by=allowed_by
        )
        if refusal is not None:
            raise FetchError(f"refused {url.host}: {refusal}")
    return addresses


# The monotonic time by which the fetch under way in this thread (context) must be over.
_deadline: ContextVar[float | None] = ContextVar("fetch_deadline", default=None)
# A time no fetch begun in this context may outlast (a stage's deadline, say), or None.
_cap: ContextVar[float | None] = ContextVar("fetch_deadline_cap", default=None)


@contextmanager
def fetches_end_by(moment: float) -> Iterator[None]:
    """Every fetch made in the block ends by ``moment`` (``time.monotonic``), whatever its own
    deadline."""
    token = _cap.set(moment)
    try:
        yield
    finally:
        _cap.reset(token)


def _within_deadline(
    timeout: float | None, timed_out: type[httpcore.TimeoutException]
) -> float | None:
    """An operation's timeout cut to the time left before the deadline; timed_out once it passed."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise timed_out("the fetch's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _within_deadline(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _within_deadline(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        within = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, within))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own socket backend, with every connection a ``_DeadlineStream``."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        within = _within_deadline(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, within, local_address, socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


@cache
def verified_tls() -> ssl.SSLContext:
    """The TLS settings of every fetch: certificates verified against the system's authorities.

    Made once per process and shared by every client and thread (an SSLContext is safe to share):
    loading the authorities costs 16 ms, and each client made two, which at 20 feeds was 0.65 of
    the fetch stage's 0.8 s."""
    return httpx.create_ssl_context(trust_env=False)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport, whose socket operations never outlast the deadline ``fetch_url`` sets.

    Bounding each socket operation by the time left (rather than a watchdog thread closing the
    connection) keeps the deadline in the fetching thread: it ends as an ordinary timeout, with
    nothing to race against and no socket closed under another thread's feet.
    """

    def __init__(self) -> None:
        super().__init__(verify=verified_tls(), trust_env=False)
        # httpx takes no network backend of its own, so its pool is replaced by one that has
        # ours; handle_request (mapping httpcore's errors to httpx's) stays httpx's.
        self._pool = httpcore.ConnectionPool(
            ssl_context=verified_tls(),
            max_connections=100,  # httpx's own defaults
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_DeadlineBackend(),
        )


def user_agent(contact: str | None) -> str:
    """The User-Agent the project sends: its name, and where a site's operator can reach it."""
    if not contact:
        return USER_AGENT
    return USER_AGENT.replace("(", f"(+{short_text(contact, 200)}; ", 1)


def build_client(limits: FetchLimits, agent: str = USER_AGENT) -> httpx.Client:
    """An HTTP client for feeds and pages: the limits' timeouts and deadline, no redirects of its
    own, no proxies."""
    return httpx.Client(
        transport=DeadlineTransport(),
        timeout=limits.timeout(),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": agent},
    )


class _Inflater:
    """One Content-Encoding layer, decompressed without ever producing more than asked for."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        wbits = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS}.get(encoding)
        self._raw_deflate_fallback = encoding == "deflate"
        self._inflate = zlib.decompressobj(wbits if wbits is not None else zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes, limit: int) -> bytes:
        """Decompress data; FetchError if it comes to more than limit bytes."""
        try:
            out = self._inflate.decompress(data, limit + 1)
        except zlib.error as exc:
            if not (self._raw_deflate_fallback and not self._started):
                raise FetchError(f"the {self.encoding} body is corrupt: {exc}") from exc
            # Some servers send raw deflate without the zlib header that HTTP asks for.
            self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
            self._started = True
            return self.feed(data, limit)
        self._started = True
        if len(out) > limit:
            raise FetchError("the body decompresses past the decoded size cap")
        return out


def _content_encodings(response: httpx.Response) -> list[_Inflater]:
    tokens = [
        token.strip().lower()
        for token in response.headers.get("content-encoding", "").split(",")
        if token.strip() and token.strip().lower() != "identity"
    ]
    unsupported = [token for token in tokens if token not in {"gzip", "x-gzip", "deflate"}]
    if unsupported:
        raise FetchError(f"unsupported content encoding {', '.join(unsupported)}")
    # Encodings are listed in the order they were applied, so they come off in reverse.
    return [_Inflater(token) for token in reversed(tokens)]


def _read_body(
    response: httpx.Response, host: str, limits: FetchLimits, deadline: float
) -> tuple[bytes, int]:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_raw_bytes:
        raise FetchError(
            f"the response declares {int(declared)} bytes, over the {limits.max_raw_bytes}-byte cap"
        )
    layers = _content_encodings(response)
    body = bytearray()
    received = 0
    for chunk in response.iter_raw():
        received += len(chunk)
        if received > limits.max_raw_bytes:
            raise FetchError(f"the response is over the {limits.max_raw_bytes}-byte cap")
        if time.monotonic() > deadline:
            raise _deadline_exceeded(limits, host)
        data = chunk
        for layer in layers:
            data = layer.feed(data, limits.max_decoded_bytes - len(body))
        if len(body) + len(data) > limits.max_decoded_bytes:
            raise FetchError(f"the body is over the {limits.max_decoded_bytes}-byte decoded cap")
        body += data
    return bytes(body), received


# Private addresses allowed for every host (True), none (False), or for the hosts named.
PrivateAllowance = bool | PrivateHosts


def _send(
    client: httpx.Client,
    url: httpx.URL,
    headers: dict[str, str],
    limits: FetchLimits,
    allow_private_network: PrivateAllowance,
) -> httpx.Response:
    """Send a GET for url to the first of its checked addresses that accepts a connection."""
    allowed = (
        allow_private_network
        if isinstance(allow_private_network, bool)
        else allow_private_network.allows(url)
    )
    by_name = not isinstance(allow_private_network, bool)
    addresses = checked_addresses(
        url,
        allow_private_network=allowed,
        allowed_by=PAGES_ALLOWED_BY if by_name else FEEDS_ALLOWED_BY,
    )
    for index, address in enumerate(addresses):
        request = client.build_request(
            "GET",
            url.copy_with(host=str(address)),
            headers={**headers, "Host": url.netloc.decode("ascii")},
            timeout=limits.timeout(),
            extensions={"sni_hostname": url.host} if url.scheme == "https" else None,
        )
        try:
            return client.send(request, stream=True, follow_redirects=False)
        except httpx.ConnectError:
            if index == len(addresses) - 1:
                raise
    raise FetchError(f"{url.host} has no address to connect to")  # pragma: no cover


def fetch_url(
    client: httpx.Client,
    url: str,
    *,
    limits: FetchLimits,
    allow_private_network: PrivateAllowance = False,
    validators: Validators | None = None,
    accept: str = ACCEPT,
) -> Fetched:
    """GET a URL within the rules, following up to MAX_REDIRECTS redirects, each checked again.

    Sends the validators of a previous fetch, so an unchanged resource costs a 304. The whole
    fetch ends by ``limits.deadline`` when the client's transport is a ``DeadlineTransport`` (as
    ``build_client``'s is); with another transport only the body is held to it.
    """
    deadline = time.monotonic() + limits.deadline
    cap = _cap.get()
    if cap is not None:
        deadline = min(deadline, cap)
    token = _deadline.set(deadline)
    try:
        return _fetch(client, url, limits, allow_private_network, validators, deadline, accept)
    finally:
        _deadline.reset(token)


def _deadline_exceeded(limits: FetchLimits, host: str) -> FetchError:
    return FetchError(
        f"deadline of {limits.deadline:g} s exceeded: {host} had not sent the whole response "
        "(BRIEFING_FETCH_DEADLINE)",
        transient=True,
    )


def _fetch(
    client: httpx.Client,
    url: str,
    limits: FetchLimits,
    allow_private_network: PrivateAllowance,
    validators: Validators | None,
    deadline: float,
    accept: str,
) -> Fetched:
    headers = {"Accept": accept, "Accept-Encoding": ACCEPT_ENCODING}
    if validators is not None and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators is not None and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    try:
        current = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(f"{url!r} is not a valid URL: {exc}") from exc
    for _ in range(MAX_REDIRECTS + 1):
        if time.monotonic() > deadline:
            raise _deadline_exceeded(limits, current.host)
        try:
            response = _send(client, current, headers, limits, allow_private_network)
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:
                raise _deadline_exceeded(limits, current.host) from exc
            kind = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for data"
            raise FetchError(f"timed out {kind} from {current.host}", transient=True) from exc
        except httpx.TransportError as exc:
            raise FetchError(f"cannot reach {current.host}: {exc}", transient=True) from exc
        try:
            if response.status_code in REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(
                        f"HTTP {response.status_code} redirect without a Location",
                        http_status=response.status_code,
                    )
                try:
                    current = current.join(location)
                except httpx.InvalidURL as exc:
                    raise FetchError(f"redirect to an invalid URL {location[:200]!r}") from exc
                continue
            return _finish(response, current, limits, deadline)
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:
                raise _deadline_exceeded(limits, current.host) from exc
            raise FetchError(f"timed out reading from {current.host}", transient=True) from exc
        except httpx.TransportError as exc:
            raise FetchError(
                f"the connection to {current.host} broke: {exc}", transient=True
            ) from exc
        finally:
            response.close()
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _finish(
    response: httpx.Response, url: httpx.URL, limits: FetchLimits, deadline: float
) -> Fetched:
    status = response.status_code
    validators = Validators(
        etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified")
    )
    if status == 304:
        return Fetched(str(url), status, b"", 0, None, validators)
    if not 200 <= status < 300:
        raise FetchError(
            # The reason phrase is the server's to write: 11 KB of it, or a CRLF, say.
            f"HTTP {status} {short_text(response.reason_phrase)}".strip(),
            transient=status in TRANSIENT_STATUSES,
            http_status=status,
        )
    try:
        body, received = _read_body(response, url.host, limits, deadline)
    except FetchError as exc:
        exc.http_status = status
        raise
    return Fetched(
        str(url), status, body, received, response.headers.get("content-type"), validators
    )
