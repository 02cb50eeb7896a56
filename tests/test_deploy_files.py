"""The deployment files agree with each other and with the code (Docker is not run here)."""

import re

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
    assert {"postgres", "server", "deploy", "worker", "mailcatcher"} == set(services)
    assert services["server"]["environment"]["PREFECT_SERVER_DATABASE_CONNECTION_URL"].startswith(
        "postgresql+asyncpg://prefect:"
    )
    assert ["prefect", "server", "start", "--host", "0.0.0.0", "--port", "4200"] == services[
        "server"
    ]["command"]
    assert ["bash", "scripts/deploy.sh"] == services["deploy"]["command"]
    assert ["prefect", "worker", "start", "--pool", pool] == services["worker"]["command"]
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
