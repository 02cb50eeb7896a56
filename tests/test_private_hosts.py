"""Private networks by name for article links (#27): allowing a loopback feed lets its links
reach that feed's own host and port, or a host named in BRIEFING_PRIVATE_HOSTS, and no other
private service; cloud metadata addresses are refused whatever is allowed."""

import ipaddress
from pathlib import Path

import httpx
import pytest

from benchmarks.hostile import article_page, teaser_feed
from briefing import edition as stages
from briefing.errors import ConfigurationError
from briefing.settings import load_settings
from briefing.sources.fetch import PrivateHosts, address_refusal
from tests.articleserver import teaser_plan
from tests.feedserver import FeedServer, Route, serve_feeds

SECRET = "token=hunter2"


@pytest.mark.parametrize("address", ["169.254.169.254", "fd00:ec2::254", "100.100.100.200"])
def test_cloud_metadata_addresses_are_refused_even_when_private_ones_are_allowed(
    address: str,
) -> None:
    """AWS's IPv4 and IPv6 and Alibaba's metadata addresses are refused with everything
    private allowed."""
    refusal = address_refusal(ipaddress.ip_address(address), allow_private_network=True)
    assert refusal is not None and address in refusal


def test_a_named_host_allows_its_port_or_every_port() -> None:
    """A feed's origin allows that host and port only; a bare host name allows every port."""
    hosts = PrivateHosts.of(["http://127.0.0.1:8000/feed.xml"], ["intranet.local"])
    assert (True, False, True, False) == (
        hosts.allows(httpx.URL("http://127.0.0.1:8000/page")),
        hosts.allows(httpx.URL("http://127.0.0.1:9000/admin")),
        hosts.allows(httpx.URL("http://intranet.local:7000/story")),
        hosts.allows(httpx.URL("http://other.local/story")),
    )


def test_a_private_host_that_is_not_a_host_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """BRIEFING_PRIVATE_HOSTS takes host or host:port, and names itself when refused."""
    monkeypatch.setenv("BRIEFING_PRIVATE_HOSTS", "intranet.local, http://x/")
    with pytest.raises(ConfigurationError, match="BRIEFING_PRIVATE_HOSTS"):
        load_settings()


def _edition(feed_server: FeedServer, folder: Path, **values: object) -> stages.Selection:
    plan = teaser_plan(folder, feed_server.url("/private/feed.xml"), **values)
    return stages.read_edition(plan, stages.Plainly()).selection


@pytest.mark.slow
def test_a_local_feeds_links_reach_no_other_local_service_unless_named(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    """A loopback feed, allowed, links to its own page and to a page on another loopback port
    holding a token: its own is read, the other is never requested and its token is nowhere;
    named in BRIEFING_PRIVATE_HOSTS, the other is read too."""
    with serve_feeds() as other:
        other.routes["/admin.html"] = Route(
            article_page(3000, f"<p>JAXA admin {SECRET} for the Gateway.</p>"), "text/html"
        )
        feed_server.routes["/private/page.html"] = Route(article_page(3000), "text/html")
        feed_server.routes["/private/feed.xml"] = Route(
            teaser_feed(
                feed_server.url(""),
                [feed_server.url("/private/page.html"), other.url("/admin.html")],
            )
        )
        refused = _edition(feed_server, tmp_path / "refused")
        requests_refused = len(other.received("/admin.html"))
        named = _edition(
            feed_server, tmp_path / "named", private_hosts=(f"127.0.0.1:{other.port}",)
        )
    (outcome,) = refused.outcomes
    (reason,) = outcome.article_failures
    assert (1, 0, False, True, 2) == (
        outcome.articles_fetched,
        requests_refused,
        any(SECRET in document.text for document in refused.documents),
        "BRIEFING_PRIVATE_HOSTS" in reason,
        named.outcomes[0].articles_fetched,
    )
