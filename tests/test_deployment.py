"""End to end: `make up`'s script starts a real Prefect server and process worker on 127.0.0.1,
registers deploy/prefect.yaml, and a run started as the UI's form starts one writes and mails
the edition; `make down`'s script stops exactly those processes.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pypdf import PdfReader

from briefing.settings import PROJECT_ROOT
from tests.browser import chromium, needs_chromium
from tests.conftest import Mailbox, free_port, serve_smtp, weasyprint_lines
from tests.runs import clean_env

# Slow: a real Prefect server, worker and flow run, about two minutes together.
pytestmark = pytest.mark.slow

TIMEZONE = "Asia/Tokyo"
FORM_RECIPIENT = "analyst@example.net"
OPERATOR = "ops@example.org"
# Hang guards only, never asserted: a cold server on 2 cores takes up to a minute to migrate.
UP_TIMEOUT = 300
RUN_TIMEOUT = 300
UI_TIMEOUT = 120  # the UI's pages on a busy machine


@dataclass
class Stack:
    """The running server and worker: where to reach them and where their files are."""

    api: str
    editions: str
    run_dir: Path
    out_dir: Path
    mailbox: Mailbox
    env: dict[str, str]


def group_alive(pgid: int) -> bool:
    """Whether any process of the group still runs."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def started_groups(run_dir: Path) -> list[int]:
    """The process groups the up script recorded in its PID files."""
    return [int(path.read_text()) for path in sorted(run_dir.glob("*.pid"))]


def run_down(stack_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `make down`'s script for the test's run folder."""
    return subprocess.run(
        ["bash", "scripts/down.sh"],
        cwd=PROJECT_ROOT,
        env=stack_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@contextmanager
def removed(folder: Path) -> Iterator[Path]:
    """The folder for the block, then removed."""
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def brought_up(env: dict[str, str], run_dir: Path) -> Iterator[None]:
    """`make up`'s script run with the environment (it must succeed); on the way out `make
    down`'s, then any process group it started and left is killed, whatever happened between."""
    groups: list[int] = []
    try:
        up = subprocess.run(
            ["bash", "scripts/up.sh"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=UP_TIMEOUT,
            check=False,
        )
        groups = started_groups(run_dir)
        (run_dir / "up.log").write_text(up.stdout + up.stderr, encoding="utf-8")
        assert 0 == up.returncode, up.stdout + up.stderr
        yield
    finally:
        groups = groups or started_groups(run_dir)
        run_down(env)
        for pgid in groups:
            if group_alive(pgid):
                os.killpg(pgid, signal.SIGKILL)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Server, deployments and worker from scripts/up.sh; stopped by scripts/down.sh, then
    any group still alive is killed, whatever happened in between."""
    root = tmp_path_factory.mktemp("stack")
    run_dir, out_dir = root / "run", root / "out"
    port, editions_port = free_port(), free_port()
    # Prefect's PostgreSQL cluster (make up's, where PostgreSQL is installed) in a folder its
    # user can reach (pytest's are the root user's alone), removed at the end.
    cluster = Path(tempfile.mkdtemp(prefix="briefing-prefect-pg-"))  # chowned to postgres
    with serve_smtp(Mailbox(port=free_port())) as mailbox, removed(cluster):
        env = clean_env(
            PREFECT_POSTGRES_DIR=str(cluster),
            ALERTS_PORT=str(free_port()),
            BRIEFING_OPERATOR_EMAIL=OPERATOR,
            RUN_DIR=str(run_dir),
            PREFECT_PORT=str(port),
            EDITIONS_PORT=str(editions_port),
            PREFECT_HOME=str(root / "prefect"),
            BRIEFING_OUT_DIR=str(out_dir),
            BRIEFING_TIMEZONE=TIMEZONE,
            BRIEFING_SMTP_HOST="127.0.0.1",
            BRIEFING_SMTP_PORT=str(mailbox.port),
            BRIEFING_SMTP_SECURITY="none",
            BRIEFING_SMTP_FROM="briefing@example.org",
            BRIEFING_SMTP_RETRIES="0",
            BRIEFING_EMAIL_RECIPIENTS="desk@example.org",
        )
        with brought_up(env, run_dir):
            yield Stack(
                f"http://127.0.0.1:{port}/api",
                f"http://127.0.0.1:{editions_port}/",
                run_dir,
                out_dir,
                mailbox,
                env,
            )


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[httpx.Client]:
    """An HTTP client for the server's REST API, the one the UI uses."""
    with httpx.Client(base_url=stack.api, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def deployment(api: httpx.Client) -> dict[str, Any]:
    """The registered weekly deployment, as the server returns it."""
    response = api.get("/deployments/name/weekly-briefing/weekly")
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def wait_for(check: Any, timeout: float, what: str) -> Any:
    """Poll check() until it returns something truthy; fail, naming what, after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(1)
    pytest.fail(f"gave up waiting for {what}")


def test_the_deployment_is_registered_from_prefect_yaml(deployment: dict[str, Any]) -> None:
    """The deployment has the Monday 07:00 schedule in the set time zone, the process pool and
    an enforced parameter schema."""
    schedules = [
        (item["schedule"]["cron"], item["schedule"]["timezone"], item["active"])
        for item in deployment["schedules"]
    ]
    assert [("0 7 * * 1", TIMEZONE, True)] == schedules
    assert ("briefing", True) == (
        deployment["work_pool_name"],
        deployment["enforce_parameter_schema"],
    )


def test_every_run_form_field_is_titled_and_described(deployment: dict[str, Any]) -> None:
    """The form's fields are the flow's own parameters (no nested model), each titled in words
    and described."""
    schema = deployment["parameter_openapi_schema"]
    fields = schema["properties"]
    unexplained = [
        name
        for name, spec in fields.items()
        if not spec.get("description") or spec.get("title") in (None, name)
    ]
    assert ([], {}) == (unexplained, schema.get("definitions", {}))
    expected = {
        "edition_date",
        "page_size",
        "output_dir",
        "send_email",
        "recipients",
        "smtp_block",
        "dry_run",
    }
    assert expected <= set(fields)


def test_the_weekly_schedule_produced_scheduled_runs(
    api: httpx.Client, deployment: dict[str, Any]
) -> None:
    """The scheduler created upcoming runs, each on a Monday at 07:00 in the set time zone."""

    def scheduled() -> list[dict[str, Any]]:
        response = api.post(
            "/flow_runs/filter",
            json={
                "deployments": {"id": {"any_": [deployment["id"]]}},
                "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
                "limit": 20,
            },
        )
        response.raise_for_status()
        runs: list[dict[str, Any]] = response.json()
        return [run for run in runs if run["auto_scheduled"]]

    runs = wait_for(scheduled, 120, "scheduled runs")
    local = {
        datetime.fromisoformat(run["expected_start_time"]).astimezone(ZoneInfo(TIMEZONE))
        for run in runs
    }
    assert {("Monday", "07:00")} == {(t.strftime("%A"), t.strftime("%H:%M")) for t in local}


def form_run(api: httpx.Client, deployment: dict[str, Any], values: dict[str, Any]) -> Any:
    """Start a run the way the UI's Custom run form does: the form's JSON values."""
    return api.post(
        f"/deployments/{deployment['id']}/create_flow_run",
        json={
            "parameters": values,
            "state": {"type": "SCHEDULED", "message": "Run from the Prefect UI"},
        },
    )


def started_run(api: httpx.Client, deployment: dict[str, Any], values: dict[str, Any]) -> str:
    """The id of a run the form started with these values (the server accepted them)."""
    response = form_run(api, deployment, values)
    assert 201 == response.status_code, response.text
    run_id: str = response.json()["id"]
    return run_id


def finished(api: httpx.Client, run_id: str) -> dict[str, Any] | None:
    """The run, once it has ended; None while it has not."""
    run: dict[str, Any] = api.get(f"/flow_runs/{run_id}").raise_for_status().json()
    return run if run["state"]["type"] in {"COMPLETED", "FAILED", "CRASHED"} else None


def test_a_run_from_the_form_writes_the_pdf_and_emails_it(
    api: httpx.Client, deployment: dict[str, Any], stack: Stack
) -> None:
    """A custom run (date, letter paper, folder, email to one more address) completes on the
    worker: the PDF is on disk on letter paper, mailed to both recipients, with artifacts."""
    values = {
        "edition_date": "2023-01-20",
        "page_size": "letter",
        "output_dir": str(stack.out_dir),
        "send_email": True,
        "recipients": [FORM_RECIPIENT],
        "smtp_block": "",
        "dry_run": False,
    }
    run_id = started_run(api, deployment, values)
    run = wait_for(lambda: finished(api, run_id), RUN_TIMEOUT, "the form's run to finish")
    pdf = stack.out_dir / "briefing-2023-01-20.pdf"
    assert "COMPLETED" == run["state"]["type"], run["state"]
    # The flow run is the worker's child process: its console output, WeasyPrint's included, is
    # in the worker's log, where the in-process check cannot see it.
    worker_log = (stack.run_dir / "worker.log").read_text(encoding="utf-8", errors="replace")
    assert (True, []) == ("render: " in worker_log, weasyprint_lines(worker_log))
    page = PdfReader(pdf).pages[0]
    assert (612, 792) == (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
    assert sorted([["desk@example.org"], [FORM_RECIPIENT]]) == sorted(
        envelope.rcpt_tos for envelope in stack.mailbox.envelopes
    )
    (attachment,) = stack.mailbox.messages()[0].iter_attachments()
    assert pdf.read_bytes() == attachment.get_content()
    artifacts = api.post(
        "/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run_id]}}}
    ).json()
    expected_keys = {
        "weekly-briefing-summary",
        "weekly-briefing-facts",
        "weekly-briefing-pdf",
        "weekly-briefing-html",
        "weekly-briefing-json",
        "weekly-briefing-deliveries",
    }
    assert expected_keys == {artifact["key"] for artifact in artifacts}
    # The run page's links open over HTTP, from the editions server make up started.
    links = {
        artifact["key"].rsplit("-", 1)[1]: artifact["data"]
        for artifact in artifacts
        if artifact["type"] == "markdown" and artifact["key"].endswith(("pdf", "html", "json"))
    }
    assert {
        kind: f"{stack.editions}briefing-2023-01-20.{kind}" for kind in ("pdf", "html", "json")
    } == {kind: link.split("](", 1)[1].split(")", 1)[0] for kind, link in links.items()}
    with httpx.Client(timeout=30) as client:
        served = {kind: client.get(f"{stack.editions}briefing-2023-01-20.{kind}") for kind in links}
    assert {
        kind: (stack.out_dir / f"briefing-2023-01-20.{kind}").read_bytes() for kind in links
    } == {kind: response.content for kind, response in served.items()}


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"page_size": "A5"}, "'A5' is not one of ['A4', 'letter']"),
        ({"recipients": "jane@example.org"}, "is not of type 'array'"),
        ({"colour": "blue"}, "Additional properties are not allowed"),
    ],
)
def test_the_form_refuses_bad_values_before_any_run(
    api: httpx.Client, deployment: dict[str, Any], values: dict[str, Any], reason: str
) -> None:
    """With the schema enforced, a bad value is refused when the run is asked for."""
    response = form_run(api, deployment, values)
    assert 409 == response.status_code
    assert reason in response.json()["detail"]


def test_an_impossible_date_fails_the_run_at_its_first_step(
    api: httpx.Client, deployment: dict[str, Any], stack: Stack
) -> None:
    """A date the form cannot check (30 February) reaches the flow, which fails before any work
    with a message naming the field; nothing is written."""
    out_dir = stack.out_dir / "impossible"
    run_id = started_run(
        api, deployment, {"edition_date": "2023-02-30", "output_dir": str(out_dir)}
    )
    run = wait_for(lambda: finished(api, run_id), RUN_TIMEOUT, "the run to fail")
    assert ("FAILED", False) == (run["state"]["type"], out_dir.exists())
    assert "Edition date (edition_date): '2023-02-30' is not a date" in run["state"]["message"]


def ui_address(stack: Stack) -> str:
    """The Prefect UI the server serves, at its root."""
    return stack.api.removesuffix("/api")


FIELD_LABEL = ".schema-form-property__label"


@needs_chromium
def test_the_ui_run_form_titles_every_field_in_words(
    deployment: dict[str, Any], stack: Stack
) -> None:
    """The Prefect UI's Custom run form shows one field per parameter, each under its title in
    words and its description, with no `Property is type "None"` and no nested box."""
    fields = deployment["parameter_openapi_schema"]["properties"]
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{ui_address(stack)}/deployments/deployment/{deployment['id']}/run")
        page.locator(FIELD_LABEL).first.wait_for(timeout=UI_TIMEOUT * 1000)
        labels = page.locator(FIELD_LABEL).all_inner_texts()
        text = page.inner_text("body")
    # In the parameters' order (their position: Prefect's database on PostgreSQL keeps JSON
    # objects' keys in an order of its own, and the form sorts them back by position).
    in_order = sorted(fields.values(), key=lambda spec: spec["position"])
    expected = [f"{spec['title']} (Optional)" for spec in in_order]
    described = [spec["description"] for spec in fields.values() if spec["description"] in text]
    assert (expected, len(fields), False) == (
        labels,
        len(described),
        'Property is type "None"' in text,
    )


@needs_chromium
def test_a_run_submitted_from_the_ui_form_completes(
    api: httpx.Client, deployment: dict[str, Any], stack: Stack
) -> None:
    """Typing a date and a folder into the UI's form and pressing Submit starts a run that
    completes, writing that date's edition into that folder."""
    out_dir = stack.out_dir / "from-the-ui"
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{ui_address(stack)}/deployments/deployment/{deployment['id']}/run")
        page.locator(FIELD_LABEL).first.wait_for(timeout=UI_TIMEOUT * 1000)
        for title, value in (("Edition date", "2023-01-13"), ("Output folder", str(out_dir))):
            label = page.locator(FIELD_LABEL, has_text=title)
            field = page.locator(".schema-form-property", has=label).locator("textarea")
            field.fill(value)
        page.get_by_role("button", name="Submit").click()
        # The UI then shows the deployment's runs; the new run is found by its folder.
        page.wait_for_url(lambda url: "tab=Runs" in url, timeout=UI_TIMEOUT * 1000)

    def submitted() -> str | None:
        response = api.post(
            "/flow_runs/filter",
            json={"deployments": {"id": {"any_": [deployment["id"]]}}, "limit": 50},
        )
        ids = [
            run["id"]
            for run in response.raise_for_status().json()
            if run["parameters"].get("output_dir") == str(out_dir)
        ]
        return ids[0] if ids else None

    run_id = wait_for(submitted, 60, "the UI's run to be created")
    run = wait_for(lambda: finished(api, run_id), RUN_TIMEOUT, "the UI's run to finish")
    assert ("COMPLETED", True) == (
        run["state"]["type"],
        (out_dir / "briefing-2023-01-13.pdf").is_file(),
    ), run["state"]


def test_a_failed_run_alerts_the_operator(
    api: httpx.Client, deployment: dict[str, Any], stack: Stack, tmp_path: Path
) -> None:
    """A run of the deployment that fails (its output folder is a file) is mailed to
    BRIEFING_OPERATOR_EMAIL by the Prefect server's automation, through make up's alert relay,
    naming the run and why it failed."""
    taken = tmp_path / "a-file"
    taken.write_text("not a folder", encoding="utf-8")
    run_id = started_run(api, deployment, {"output_dir": str(taken)})
    run = wait_for(lambda: finished(api, run_id), RUN_TIMEOUT, "the failing run to end")
    assert "FAILED" == run["state"]["type"]

    def alert() -> Any:
        return next(
            (
                message
                for envelope, message in zip(
                    stack.mailbox.envelopes, stack.mailbox.messages(), strict=True
                )
                if envelope.rcpt_tos == [OPERATOR] and run["name"] in str(message["Subject"])
            ),
            None,
        )

    message = wait_for(alert, UI_TIMEOUT, "the operator's alert")
    body = message.get_content()
    assert f"Briefing run {run['name']} failed" == message["Subject"]
    assert 'the "Output folder" field (output_dir)' in body and run_id in body


def test_thirty_form_submissions_are_all_accepted(deployment: dict[str, Any], stack: Stack) -> None:
    """Thirty runs asked for from the form, one after another, while the worker runs them: the
    server accepts every one (on Prefect's SQLite it refused 2 to 5 of 30, "database is
    locked"; make up runs Prefect on PostgreSQL where it is installed). Just before make down,
    which stops them."""
    assert "Prefect's database: PostgreSQL in" in (stack.run_dir / "up.log").read_text("utf-8")
    # A client of its own: the module's may hold a kept-alive connection the server has closed.
    with httpx.Client(base_url=stack.api, timeout=30) as client:
        codes = [
            form_run(client, deployment, {"output_dir": str(stack.out_dir / f"form-{n}")})
            for n in range(30)
        ]
    assert [201] * 30 == [response.status_code for response in codes], [
        response.text[:200] for response in codes if response.status_code != 201
    ]


def test_make_down_stops_exactly_what_make_up_started(stack: Stack) -> None:
    """The down script stops the server's, the worker's, the editions server's and the alert
    relay's process groups and removes their PID files, then Prefect's PostgreSQL cluster
    (the fixture would kill any survivor afterwards, so this checks the script)."""
    groups = started_groups(stack.run_dir)
    down = run_down(stack.env)
    assert 0 == down.returncode, down.stdout + down.stderr
    assert (4, [], [], True) == (
        len(groups),
        [pgid for pgid in groups if group_alive(pgid)],
        sorted(stack.run_dir.glob("*.pid")),
        "postgres: stopped" in down.stdout,
    )
