"""The deployment files agree with each other and with the code (Docker is not run here)."""

import re
import shlex
import shutil
import subprocess

import pytest
import yaml

from briefing.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


def test_prefect_yaml_points_at_the_flow_and_the_pool_the_scripts_create() -> None:
    """The deployment's entrypoint is the weekly-briefing flow; its pool is the scripts' pool."""
    config = yaml.safe_load((DEPLOY / "prefect.yaml").read_text(encoding="utf-8"))
    (deployment,) = config["deployments"]
    path, function = deployment["entrypoint"].split(":")
    source = (PROJECT_ROOT / path).read_text(encoding="utf-8")
    deploy_script = (PROJECT_ROOT / "scripts" / "deploy.sh").read_text(encoding="utf-8")
    assert f'@flow(name="weekly-briefing")\ndef {function}(' in source
    assert f"POOL={deployment['work_pool']['name']}" in deploy_script


def test_compose_runs_the_same_commands_as_make_up() -> None:
    """Postgres backs the server; the deploy service runs scripts/deploy.sh; the worker polls the
    deployment's pool; a mail catcher receives the worker's mail; ports publish on 127.0.0.1."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    pool = yaml.safe_load((DEPLOY / "prefect.yaml").read_text(encoding="utf-8"))["deployments"][0][
        "work_pool"
    ]["name"]
    assert {
        *("postgres", "memory", "server", "deploy", "worker", "editions", "alerts", "mailcatcher"),
    } == set(services)
    # The deploy service registers the operator's alerts with the relay's address on the network.
    assert "http://alerts:8401/alert" == services["deploy"]["environment"]["BRIEFING_ALERT_URL"]
    assert services["server"]["environment"]["PREFECT_SERVER_DATABASE_CONNECTION_URL"].startswith(
        "postgresql+asyncpg://prefect:"
    )
    assert ["prefect", "server", "start", "--host", "0.0.0.0", "--port", "4200"] == services[
        "server"
    ]["command"]
    assert ["bash", "scripts/deploy.sh"] == services["deploy"]["command"]
    assert ["prefect", "worker", "start", "--pool", pool, "--limit", "1"] == services["worker"][
        "command"
    ]
    assert services["worker"]["environment"]["BRIEFING_DATABASE_URL"].startswith(
        "postgresql+psycopg://briefing:"
    )
    assert "mailcatcher" == services["worker"]["environment"]["BRIEFING_SMTP_HOST"]
    published = [port for service in services.values() for port in service.get("ports", [])]
    assert [] == [port for port in published if not port.startswith("127.0.0.1:")]


def test_every_path_the_dockerfile_copies_exists() -> None:
    """Each COPY source is in the project, so the image build cannot fail on a missing file."""
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    sources = [
        source
        for line in re.findall(r"^COPY (.+)$", dockerfile, flags=re.MULTILINE)
        for source in line.split()[:-1]
    ]
    assert [] == [source for source in sources if not (PROJECT_ROOT / source).exists()]
    assert len(sources) >= 8


def up_script_commands() -> dict[str, list[str]]:
    """The command each `start NAME ...` line of scripts/up.sh runs, the venv's folder dropped."""
    script = (PROJECT_ROOT / "scripts" / "up.sh").read_text(encoding="utf-8")
    commands = {}
    for line in re.findall(r"^\s*start (\S+) (.+)$", script, flags=re.MULTILINE):
        name, rest = line
        name = "worker" if name == '"$name"' else name  # the loop over WORKERS
        commands[name] = [token.removeprefix("$BIN/") for token in shlex.split(rest)]
    return commands


def same_command(script: list[str], compose: list[str]) -> bool:
    """Whether the compose command is the script's, where a shell variable of the script stands
    for any value and --host may differ (a container listens on its own interfaces, published on
    127.0.0.1 only; the script listens on 127.0.0.1)."""
    if len(script) != len(compose):
        return False
    for position, (ours, theirs) in enumerate(zip(script, compose, strict=True)):
        after_host = position > 0 and script[position - 1] == "--host"
        if ours != theirs and not ours.startswith("$") and not after_host:
            return False
    return True


def test_compose_and_make_up_start_every_service_with_the_same_command() -> None:
    """The server, the worker and the editions server run in containers with the very command
    lines `make up` runs here (only values the script takes from variables may differ), and the
    deploy service runs the script `make up` runs; the image puts the venv's programs first on
    PATH, so `prefect` and `briefing` are the locked ones, and installs the libraries the set-up
    checks for, with the Makefile's uv."""
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))["services"]
    script = up_script_commands()
    up = (PROJECT_ROOT / "scripts" / "up.sh").read_text(encoding="utf-8")
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    required = re.search(
        r"^required=\((.+)\)$",
        (PROJECT_ROOT / "scripts" / "system-deps.sh").read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    assert required is not None
    (uv_version,) = re.findall(r"^UV_VERSION := (\S+)$", makefile, flags=re.MULTILINE)
    assert {"server", "worker", "editions", "alerts"} == set(script)
    assert {name: True for name in script} == {
        name: same_command(command, services[name]["command"]) for name, command in script.items()
    }
    assert "bash scripts/deploy.sh" in up
    assert ["bash", "scripts/deploy.sh"] == services["deploy"]["command"]
    assert "PATH=/app/.venv/bin:$PATH" in dockerfile
    assert f'"uv=={uv_version}"' in dockerfile and "uv sync --locked" in dockerfile
    assert [] == [lib for lib in required.group(1).split() if lib not in dockerfile]


def compose_commands() -> list[list[str]]:
    """The Compose programs installed here: Docker Compose v2 and Debian's docker-compose."""
    found = []
    if shutil.which("docker") is not None:
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            found.append(["docker", "compose"])
    if shutil.which("docker-compose") is not None:
        found.append(["docker-compose"])
    return found


@pytest.mark.parametrize(
    "compose", compose_commands() or [None], ids=lambda c: " ".join(c or ["none"])
)
def test_the_compose_file_is_accepted_by_the_compose_installed(compose: list[str] | None) -> None:
    """`config` (no daemon needed) accepts deploy/compose.yaml: Debian's docker-compose 1.29
    refused the top-level `name:` it had."""
    if compose is None:
        pytest.skip("neither docker compose (v2) nor docker-compose is installed")
    project = ["-p", "us-japan-space-briefing", "-f", str(DEPLOY / "compose.yaml")]
    checked = subprocess.run(
        [*compose, *project, "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert 0 == checked.returncode, checked.stdout + checked.stderr
