"""Fetch a URL within the rules: http(s) only, public addresses only, bounded in time and size.

Every hop is checked before it is connected to: the scheme, then every address the host resolves
to. The request then goes to the address that was checked (the host name travels in the Host
header and TLS SNI), so a name cannot resolve to a public address for the check and a private one
for the connection. Redirects are followed here, at most ``MAX_REDIRECTS``, each checked again.
Bodies are streamed and decompressed here under two caps, so neither a huge response nor a gzip
bomb is ever held in memory. Anything that breaks a rule raises ``FetchError`` with the reason.
"""

import ipaddress
import socket
import time
import zlib
from dataclasses import dataclass

import httpx
from pydantic import BaseModel, ConfigDict, Field

from briefing.errors import FetchError
from briefing.sources.text import short_text

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
USER_AGENT = "us-japan-space-briefing/0.1 (weekly feed reader)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
# The only encodings this module can decompress under a cap; nothing else is asked for.
ACCEPT_ENCODING = "gzip, deflate"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchLimits(BaseModel):
    """The bounds one fetch runs within."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=20.0, gt=0)
    deadline: float = Field(default=60.0, gt=0, description="Seconds for the whole fetch.")
    max_raw_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    max_decoded_bytes: int = Field(default=20 * 1024 * 1024, gt=0)

    def timeout(self) -> httpx.Timeout:
        """The httpx timeouts these limits mean."""
        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.read_timeout,
            pool=self.connect_timeout,
        )


class Validators(BaseModel):
    """The cache validators of a previous fetch, sent back to ask "has it changed?"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    etag: str | None = None
    last_modified: str | None = None


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


def address_refusal(address: IPAddress, *, allow_private_network: bool) -> str | None:
    """Why a feed may not be fetched from an address, or None when it may.

    Loopback and private addresses are allowed only on request; link-local (where cloud metadata
    services live), multicast, reserved and unspecified addresses never are.
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_link_local:
        return f"{address} is a link-local address"
    if address.is_multicast or address.is_unspecified:
        return f"{address} is not a unicast address"
    if address.is_reserved and not address.is_loopback:
        return f"{address} is a reserved address"
    if address.is_loopback or address.is_private or not address.is_global:
        if allow_private_network:
            return None
        return (
            f"{address} is a loopback or private address "
            "(allowed only with --allow-private-network or BRIEFING_ALLOW_PRIVATE_NETWORK)"
        )
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


def checked_addresses(url: httpx.URL, *, allow_private_network: bool) -> list[IPAddress]:
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
        refusal = address_refusal(address, allow_private_network=allow_private_network)
        if refusal is not None:
            raise FetchError(f"refused {url.host}: {refusal}")
    return addresses


def build_client(limits: FetchLimits) -> httpx.Client:
    """An HTTP client for feeds: the limits' timeouts, no redirects of its own, no proxies."""
    return httpx.Client(
        timeout=limits.timeout(),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
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


def _read_body(response: httpx.Response, limits: FetchLimits, deadline: float) -> tuple[bytes, int]:
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
            raise FetchError(f"the fetch took over {limits.deadline:g} s", transient=True)
        data = chunk
        for layer in layers:
            data = layer.feed(data, limits.max_decoded_bytes - len(body))
        if len(body) + len(data) > limits.max_decoded_bytes:
            raise FetchError(f"the body is over the {limits.max_decoded_bytes}-byte decoded cap")
        body += data
    return bytes(body), received


def _send(
    client: httpx.Client,
    url: httpx.URL,
    headers: dict[str, str],
    limits: FetchLimits,
    allow_private_network: bool,
) -> httpx.Response:
    """Send a GET for url to the first of its checked addresses that accepts a connection."""
    addresses = checked_addresses(url, allow_private_network=allow_private_network)
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
    allow_private_network: bool = False,
    validators: Validators | None = None,
) -> Fetched:
    """GET a URL within the rules, following up to MAX_REDIRECTS redirects, each checked again.

    Sends the validators of a previous fetch, so an unchanged resource costs a 304.
    """
    deadline = time.monotonic() + limits.deadline
    headers = {"Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}
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
            raise FetchError(f"the fetch took over {limits.deadline:g} s", transient=True)
        try:
            response = _send(client, current, headers, limits, allow_private_network)
        except httpx.TimeoutException as exc:
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
        body, received = _read_body(response, limits, deadline)
    except FetchError as exc:
        exc.http_status = status
        raise
    return Fetched(
        str(url), status, body, received, response.headers.get("content-type"), validators
    )
