"""The shipped configuration on a machine without network: every configured feed is reported
unreachable, the edition is written, and the run says it is degraded.

Run in a network namespace of its own (``unshare -n``) with only loopback up: the feeds' names
cannot even be resolved, and nothing leaves the machine, so the shipped briefing.yaml, which
lists real outlets, is read exactly as it ships."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.runs import BRIEFING, clean_env

ROOT = Path(__file__).resolve().parents[1]


def namespace_problem() -> str | None:
    """Why this machine cannot run a command in a network namespace of its own, if it cannot."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "unshare or ip (util-linux, iproute2) is not installed"
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return f"unshare -n is not allowed here (root is needed): {probe.stderr.decode()[:200]}"
    return None


@pytest.mark.slow
def test_the_shipped_feeds_without_network_are_each_reported_and_the_edition_comes_out(
    tmp_path: Path,
) -> None:
    """`briefing run` on the shipped briefing.yaml with no network: exit 0, each feed named as
    failed, the edition's three files written, the run 'Completed with warnings'."""
    if (problem := namespace_problem()) is not None:
        pytest.skip(problem)
    feeds = yaml.safe_load((ROOT / "briefing.yaml").read_text(encoding="utf-8"))["feeds"]
    out = tmp_path / "out"
    env = clean_env(
        BRIEFING_CONFIG_FILE=str(ROOT / "briefing.yaml"),
        BRIEFING_DATABASE_URL=f"sqlite:///{tmp_path / 'memory.db'}",
        BRIEFING_FETCH_RETRIES="0",  # the retries' 10 s delays would only make the test slower
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    script = 'ip link set lo up && exec "$0" run --date 2023-01-20 --out "$1"'
    done = subprocess.run(
        ["unshare", "-n", "sh", "-c", script, str(BRIEFING), str(out)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert 0 == done.returncode, output[-3000:]
    said = " ".join(output.split())
    assert f"Warning: {len(feeds)} of {len(feeds)} feeds failed" in said
    assert [] == [feed["name"] for feed in feeds if f"feed {feed['name']} failed" not in said]
    assert "Completed with warnings" in said
    assert {"briefing-2023-01-20.pdf", "briefing-2023-01-20.html", "briefing-2023-01-20.json"} <= {
        path.name for path in out.iterdir()
    }
