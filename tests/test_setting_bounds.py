"""Every setting bounded (#27): worker processes, feed count, the lengths of names, URLs and
paths; each refusal names the setting or the file."""

from datetime import date
from pathlib import Path

import pytest

from briefing.edition import build_plan
from briefing.errors import ConfigurationError
from briefing.settings import Settings, load_settings
from briefing.sources.feeds import MAX_FEEDS, FeedConfig, load_feed_config
from briefing.workers import available_cores


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("BRIEFING_WORKER_PROCESSES", "100000", "Input should be less than or equal to 64"),
        ("BRIEFING_SMTP_HOST", "h" * 300, "String should have at most 253 characters"),
        ("BRIEFING_OUT_DIR", "o" * 5000, "Value error, a path of at most 4096 characters"),
        ("BRIEFING_DATABASE_URL", "sqlite:///" + "d" * 3000, "at most 2048 characters"),
    ],
)
def test_a_setting_past_its_bound_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, problem: str
) -> None:
    """100,000 worker processes, a 300-character host, a 5,000-character path and a 3,000-
    character database URL are each refused, the message naming the variable."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = str(caught.value)
    assert (True, True, True) == (
        message.startswith(f"refused setting: {variable} "),
        problem in message,
        len(message) < 400,
    )


def test_the_plan_never_uses_more_processes_than_cores() -> None:
    """64 worker processes asked for on this machine: the plan uses its cores."""
    plan = build_plan(Settings(worker_processes=64), today=date(2026, 12, 1))
    assert available_cores() == plan.worker_processes


def test_a_feed_name_too_long_is_refused_naming_the_file(tmp_path: Path) -> None:
    """A 5 MB feed name (which crashed the flow inside Prefect) is refused when the file is
    read, in a message that names the file and is short."""
    config = tmp_path / "briefing.yaml"
    config.write_text(f"feeds:\n  - name: {'n' * 300}\n    url: https://example.org/feed\n")
    with pytest.raises(ConfigurationError) as caught:
        load_feed_config(config)
    message = str(caught.value)
    assert (True, True, True) == (
        str(config) in message,
        "String should have at most 200 characters" in message,
        len(message) < 1000,
    )


def test_more_feeds_than_the_cap_are_refused(tmp_path: Path) -> None:
    """A file of MAX_FEEDS + 1 feeds is refused; so is a plan adding --feed URLs past it."""
    config = tmp_path / "briefing.yaml"
    lines = [f"  - {{name: f{n}, url: 'https://example.org/{n}'}}" for n in range(MAX_FEEDS + 1)]
    config.write_text("feeds:\n" + "\n".join(lines) + "\n")
    with pytest.raises(ConfigurationError, match=f"List should have at most {MAX_FEEDS} items"):
        load_feed_config(config)
    configured = [
        FeedConfig(name=f"f{n}", url=f"https://example.org/{n}") for n in range(MAX_FEEDS)
    ]
    with pytest.raises(ConfigurationError, match=f"an edition reads at most {MAX_FEEDS}"):
        build_plan(
            Settings(),
            today=date(2026, 12, 1),
            configured_feeds=configured,
            extra_feed_urls=["https://example.org/one-more"],
        )
