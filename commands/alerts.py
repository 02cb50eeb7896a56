"""The operator's alerts: a run of the weekly deployment that fails, crashes or does not start
on time is mailed to BRIEFING_OPERATOR_EMAIL.

The Prefect server itself notices (an automation registered with the deployment,
``register``), and calls this relay, which ``make up`` runs on 127.0.0.1 beside it: the
server's webhook reaches it even when no worker runs, which is when a Monday run does not start.
The relay reads the run from the Prefect API and mails the operators through the same SMTP
settings as the editions. It answers only POST /alert carrying the token make up gave both.

    python -m commands.alerts serve --host 127.0.0.1 --port PORT   (make up: the relay)
    python -m commands.alerts register URL     (scripts/deploy.sh: the block and automation)
"""

import hmac
import json
import os
import sys
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from briefing.addresses import parse_address
from briefing.deliver import connect_smtp
from briefing.errors import ConfigurationError
from briefing.settings import Settings, load_settings

DEPLOYMENT = "weekly-briefing/weekly"
AUTOMATION = "weekly-briefing: alert the operator"
BLOCK = "briefing-operator-alert"
TOKEN_HEADER = "X-Briefing-Alert-Token"
# What the operator is alerted of: a run that failed, crashed, or is late to start.
EVENTS = ("prefect.flow-run.Failed", "prefect.flow-run.Crashed", "prefect.flow-run.Late")
MAX_BODY = 64 * 1024
IDLE_SECONDS = 10.0


def describe_run(run: dict[str, Any], event: str, ui_url: str) -> tuple[str, str]:
    """The alert's subject and body for a flow run as the Prefect API returns it."""
    state = run.get("state") or {}
    name = str(state.get("name") or event.rsplit(".", 1)[-1])
    what = {
        "Late": "did not start on time",
        "Crashed": "crashed",
        "Failed": "failed",
    }.get(name, f"ended {name}")
    subject = f"Briefing run {run.get('name', '?')} {what}"
    lines = [
        f"The weekly-briefing run {run.get('name', '?')} {what}.",
        "",
        f"State: {name}" + (f": {state['message']}" if state.get("message") else ""),
        f"Expected to start: {run.get('expected_start_time') or 'unknown'}",
        f"Run: {ui_url.rstrip('/')}/runs/flow-run/{run.get('id', '')}",
        "",
        "A failed edition's files, if any were written, are in the output folder; a late run "
        "starts when a worker is back (make up starts one).",
    ]
    return subject, "\n".join(lines) + "\n"


def alert_message(settings: Settings, subject: str, body: str) -> EmailMessage:
    """The alert as a message to every operator, from the editions' sender."""
    if not settings.operator_email:
        raise ConfigurationError("no operator to alert: set BRIEFING_OPERATOR_EMAIL")
    if settings.smtp_from is None:
        raise ConfigurationError("the alert needs a sender: set BRIEFING_SMTP_FROM")
    sender = parse_address(settings.smtp_from)
    message = EmailMessage(policy=SMTP)
    message["Subject"] = subject  # a run's name is Prefect's own two words, never source text
    message["From"] = sender
    message["To"] = ", ".join(parse_address(address) for address in settings.operator_email)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message.set_content(body, charset="utf-8")
    return message


def send_alert(settings: Settings, api_url: str, ui_url: str, run_id: str, event: str) -> None:
    """Read the run from the Prefect API and mail its alert to the operators."""
    with httpx.Client(base_url=api_url, timeout=30) as client:
        response = client.get(f"/flow_runs/{run_id}")
        run: dict[str, Any] = response.json() if response.is_success else {"id": run_id}
    subject, body = describe_run(run, event, ui_url)
    message = alert_message(settings, subject, body)
    server = settings.smtp_server()
    if server is None:
        raise ConfigurationError("the alert needs a mail server: set BRIEFING_SMTP_HOST")
    with connect_smtp(server) as smtp:
        smtp.send_message(message)


def _handler(token: str, deliver: Any) -> type[BaseHTTPRequestHandler]:
    class AlertHandler(BaseHTTPRequestHandler):
        server_version = "briefing-alerts"
        timeout = IDLE_SECONDS

        def do_POST(self) -> None:
            given = self.headers.get(TOKEN_HEADER, "")
            length = int(self.headers.get("Content-Length") or 0)
            if self.path != "/alert" or not hmac.compare_digest(given, token):
                self.send_error(404)
                return
            if not 0 < length <= MAX_BODY:
                self.send_error(413)
                return
            try:
                payload = json.loads(self.rfile.read(length))
                resource = str(payload["resource"])
                event = str(payload["event"])
            except (ValueError, KeyError, TypeError):
                self.send_error(400)
                return
            run_id = resource.removeprefix("prefect.flow-run.")
            try:
                deliver(run_id, event)
            except Exception as exc:  # reported to the server, which records the action failed
                self.log_message("alert for %s not sent: %s", run_id, exc)
                self.send_error(502, "alert not sent")
                return
            self.log_message("alert for %s (%s) sent", run_id, event)
            self.send_response(204)
            self.end_headers()

        def do_GET(self) -> None:
            self.send_error(404)

    return AlertHandler


def serve(host: str, port: int, token: str) -> ThreadingHTTPServer:
    """The relay on host:port (127.0.0.1 under make up; the compose network's in a container),
    mailing each alert the Prefect server posts."""
    api_url = os.environ["PREFECT_API_URL"]
    ui_url = api_url.removesuffix("/api")
    deliver = partial(send_alert, load_settings(), api_url, ui_url)
    return ThreadingHTTPServer((host, port), _handler(token, deliver))


async def register(url: str, token: str) -> str:
    """The relay's webhook block and the weekly deployment's alert automation, made again (so
    that a changed port or token holds); what was registered, in words."""
    from prefect.blocks.webhook import Webhook
    from prefect.client.orchestration import get_client
    from prefect.events.actions import CallWebhook
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
    from prefect.types import SecretDict
    from pydantic import SecretStr

    webhook = Webhook(
        method="POST",
        url=SecretStr(url),
        headers=SecretDict({TOKEN_HEADER: token, "Content-Type": "application/json"}),
        allow_private_urls=True,
    )
    block_id = await webhook.save(BLOCK, overwrite=True)
    async with get_client() as client:
        deployment = await client.read_deployment_by_name(DEPLOYMENT)
        for automation in await client.read_automations_by_name(AUTOMATION):
            await client.delete_automation(automation.id)
        trigger = EventTrigger(
            expect=set(EVENTS),
            match_related={"prefect.resource.id": f"prefect.deployment.{deployment.id}"},
            for_each={"prefect.resource.id"},
            posture=Posture.Reactive,
            threshold=1,
        )
        payload = '{"resource": "{{ event.resource.id }}", "event": "{{ event.event }}"}'
        await client.create_automation(
            AutomationCore(
                name=AUTOMATION,
                description="Mail BRIEFING_OPERATOR_EMAIL when a run fails, crashes or is late.",
                trigger=trigger,
                actions=[CallWebhook(block_document_id=block_id, payload=payload)],
            )
        )
    return f"Operator alerts: {', '.join(EVENTS)} of {DEPLOYMENT} go to the relay at {url}"


def main(arguments: list[str]) -> int:
    """``serve --host HOST --port PORT`` or ``register URL``; the token in BRIEFING_ALERT_TOKEN."""
    usage = "usage: python -m commands.alerts serve --host HOST --port PORT | register URL"
    token = os.environ.get("BRIEFING_ALERT_TOKEN", "")
    if len(token) < 16:
        print("BRIEFING_ALERT_TOKEN must be set, 16 characters or more (make up makes one)",
              file=sys.stderr)  # fmt: skip
        return 2
    if arguments[:1] == ["register"] and len(arguments) == 2:
        import asyncio

        print(asyncio.run(register(arguments[1], token)))
        return 0
    if arguments[:1] != ["serve"] or arguments[1::2] != ["--host", "--port"] or len(arguments) != 5:
        print(usage, file=sys.stderr)
        return 2
    server = serve(arguments[2], int(arguments[4]), token)
    print(f"Alert relay on {arguments[2]}:{arguments[4]}", flush=True)
    with server:
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
