"""robots.txt, asked once per site per run before any of its article pages is fetched.

Read with protego (Scrapy's parser: Google's rules, longest match, wildcards, Allow), matched
against the product token of the User-Agent the project sends (``ROBOTS_AGENT``). As RFC 9309
says: a robots.txt that is missing (any 4xx) allows everything; one that cannot be had (a 5xx, a
network failure, a timeout) disallows everything for the run, since the site's wishes are
unknown. A ``Crawl-delay`` is honoured, up to ``MAX_CRAWL_DELAY``, as the gap between the starts
of two requests to the site. Feeds are not asked about: a site publishes a feed to be read.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
from protego import Protego

from briefing.errors import FetchError
from briefing.sources.fetch import (
    USER_AGENT,
    Fetched,
    FetchLimits,
    PrivateAllowance,
    fetch_url,
)

ROBOTS_AGENT = USER_AGENT.split("/", 1)[0]  # "us-japan-space-briefing"
MAX_ROBOTS_BYTES = 512 * 1024  # Google reads the first 500 KiB
MAX_CRAWL_DELAY = 10.0
DISALLOWED = "disallowed by robots.txt"
UNREACHABLE = "robots.txt could not be read: the site's pages are left alone this run"

FetchRobots = Callable[[str], Fetched]  # GET a robots.txt URL; FetchError on failure


@dataclass(frozen=True)
class SiteRules:
    """What one site's robots.txt says to this reader."""

    parser: Protego | None  # None: nothing is allowed (robots.txt unreachable)
    allow_all: bool = False

    def refusal(self, url: str) -> str | None:
        """Why the page may not be fetched, or None when it may."""
        if self.allow_all:
            return None
        if self.parser is None:
            return UNREACHABLE
        return None if self.parser.can_fetch(url, ROBOTS_AGENT) else DISALLOWED

    def delay(self) -> float:
        """The Crawl-delay asked for this reader, capped; 0 when none."""
        if self.parser is None:
            return 0.0
        asked = self.parser.crawl_delay(ROBOTS_AGENT)
        return min(float(asked), MAX_CRAWL_DELAY) if asked else 0.0


def site_of(url: str) -> str:
    """The site a URL belongs to for robots.txt: scheme, host and port."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), (parts.netloc or "").lower(), "", "", ""))


def parse_robots(fetched: Fetched) -> SiteRules:
    """The rules of a fetched robots.txt (its first MAX_ROBOTS_BYTES, as UTF-8)."""
    text = fetched.body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace")
    return SiteRules(Protego.parse(text))


class RobotsRules:
    """Each site's robots.txt, fetched once for the run (in whichever thread asks first)."""

    def __init__(self, fetch: FetchRobots) -> None:
        self._fetch = fetch
        self._lock = threading.Lock()
        self._sites: dict[str, SiteRules] = {}
        self._site_locks: dict[str, threading.Lock] = {}

    @classmethod
    def fetched_with(
        cls, client: httpx.Client, limits: FetchLimits, allow_private_network: PrivateAllowance
    ) -> "RobotsRules":
        """Rules whose robots.txt files are fetched with the client, within the rules of the
        pages themselves."""

        def fetch(url: str) -> Fetched:
            return fetch_url(
                client,
                url,
                limits=limits,
                allow_private_network=allow_private_network,
                accept="*/*",
            )

        return cls(fetch)

    def rules(self, url: str) -> SiteRules:
        """The rules of the URL's site, fetching its robots.txt the first time."""
        site = site_of(url)
        with self._lock:
            lock = self._site_locks.setdefault(site, threading.Lock())
        with lock:
            if site not in self._sites:
                self._sites[site] = self._load(site)
            return self._sites[site]

    def refusal(self, url: str) -> str | None:
        """Why the page may not be fetched under its site's robots.txt, or None."""
        return self.rules(url).refusal(url)

    def delay(self, url: str) -> float:
        """The site's Crawl-delay for this reader (0 when none)."""
        return self.rules(url).delay()

    def _load(self, site: str) -> SiteRules:
        try:
            fetched = self._fetch(f"{site}/robots.txt")
        except FetchError as exc:
            status = exc.http_status
            if status is not None and 400 <= status < 500:
                return SiteRules(None, allow_all=True)  # no robots.txt: everything allowed
            if status is None and not exc.transient:
                # Refused by this reader's own rules (a private address, say): its pages are
                # refused the same way, with that reason.
                return SiteRules(None, allow_all=True)
            return SiteRules(None)
        return parse_robots(fetched)
