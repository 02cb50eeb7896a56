"""Settings: the only place that reads the environment (variables prefixed ``BRIEFING_``)."""

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from briefing.addresses import EmailAddress, merge_recipients
from briefing.errors import ConfigurationError
from briefing.redact import redact, register_secrets

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CITATION_LIMIT = 3  # citations the PDF shows per statement (BRIEFING_PDF_CITATION_LIMIT)
MAX_PAGES = 16  # the PDF's page budget (BRIEFING_PDF_MAX_PAGES)
# Upper bounds of the numeric settings: a value past them is a typo or "inf", not a choice.
# (inf seconds crashed httpx with OverflowError; an endless deadline never ends a fetch.)
MAX_SECONDS = 3600.0
MAX_BYTES = 1024**3
MAX_RETRIES = 10
MAX_LIST_LIMIT = 10_000
# A stated cap on worker processes (the plan uses no more than the cores this process may use):
# 100,000 was accepted, and 32 workers at once made extraction 6x slower on 2 cores.
MAX_WORKER_PROCESSES = 64
MAX_ADDRESS = 2048  # characters of a URL or an address
MAX_RECIPIENTS = 1000
MAX_PATH = 4096


SmtpSecurity = Literal["ssl", "starttls", "none"]
DEFAULT_PORTS: dict[SmtpSecurity, int] = {"ssl": 465, "starttls": 587, "none": 25}


class SmtpServer(BaseModel):
    """How to reach the SMTP server configured by the BRIEFING_SMTP_* settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str
    port: int
    security: SmtpSecurity
    username: str | None
    password: SecretStr | None
    timeout_seconds: float
    verify_certificates: bool = True

    def describe(self) -> str:
        """Where mail goes, for logs and delivery records (never the credentials)."""
        return f"{self.host}:{self.port} ({self.security})"


class Settings(BaseSettings):
    """Where the pipeline reads its inputs and writes its editions; every value has a default."""

    model_config = SettingsConfigDict(env_prefix="BRIEFING_", extra="ignore", allow_inf_nan=False)

    seeds_dir: Path = Field(
        default=PROJECT_ROOT / "seeds",
        description="Folder of seed documents and their sources.yaml metadata.",
    )
    topic_file: Path = Field(
        default=PROJECT_ROOT / "topics" / "us-japan-space.yaml",
        description="Topic profile: title, themes, vocabulary and gazetteer.",
    )
    templates_dir: Path = Field(
        default=PROJECT_ROOT / "templates",
        description="Jinja2 templates, print CSS and fonts; the only files a render may load.",
    )
    out_dir: Path = Field(
        default=Path("out"),
        description="Where editions (PDF and JSON) are written; relative to the working directory.",
    )
    timezone: str = Field(
        default="UTC",
        max_length=64,
        description="Time zone that decides today's date for an edition.",
    )
    config_file: Path = Field(
        default=PROJECT_ROOT / "briefing.yaml",
        description="Configuration file listing the feeds every edition reads.",
    )
    dask_address: str | None = Field(
        default=None,
        max_length=MAX_ADDRESS,
        description="Address of a Dask scheduler (tcp://host:8786) to extract the documents on, "
        "one Prefect task per batch of documents; unset, they are extracted on this machine "
        "(worker_processes).",
    )
    worker_processes: int | None = Field(
        default=None,
        ge=1,
        le=MAX_WORKER_PROCESSES,
        description="Worker processes that parse the feeds (when they hold 3 MB or more) and "
        "extract the documents (when there are 200 or more) on this machine; less stays in the "
        "run's own process. Unset, one per core this process may use; 1, everything in the run's "
        "own process; at most 64, and never more than the cores this process may use. "
        "Extraction goes to the Dask cluster instead when dask_address is set.",
    )
    database_url: str = Field(
        default="sqlite:///out/briefing.db",
        max_length=MAX_ADDRESS,
        description="SQLAlchemy database URL of the memory of documents, fetches, facts and "
        "editions; a relative SQLite path is relative to the working directory.",
    )
    allow_private_network: bool = Field(
        default=False,
        description="Let feeds be fetched from loopback and private (RFC 1918, ULA) addresses, "
        "for local feed servers and tests; their article links may then reach the feed's own "
        "host and port only (others: private_hosts). Link-local, reserved and cloud metadata "
        "addresses stay refused.",
    )
    private_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        max_length=100,
        description="Comma-separated hosts (host, or host:port) whose pages a feed's item may "
        "link to at a loopback or private address; a feed's own host (and port) needs no "
        "naming when its feed is allowed there. Other private addresses are refused to "
        "article links even with allow_private_network; cloud metadata addresses always.",
    )
    connect_timeout: float = Field(
        default=10.0,
        gt=0,
        le=MAX_SECONDS,
        description="Seconds to wait for a feed server to accept a connection.",
    )
    read_timeout: float = Field(
        default=20.0,
        gt=0,
        le=MAX_SECONDS,
        description="Seconds to wait for each piece of a feed's response.",
    )
    fetch_deadline: float = Field(
        default=60.0,
        gt=0,
        le=MAX_SECONDS,
        description="Seconds one feed's fetch may take, redirects included.",
    )
    max_feed_bytes: int = Field(
        default=5 * 1024 * 1024,
        gt=0,
        le=MAX_BYTES,
        description="Most bytes received for one feed, compressed.",
    )
    max_decoded_bytes: int = Field(
        default=20 * 1024 * 1024,
        gt=0,
        le=MAX_BYTES,
        description="Most bytes one feed may decompress to (stops gzip bombs).",
    )
    fetch_retries: int = Field(
        default=2,
        ge=0,
        le=MAX_RETRIES,
        description="Extra tries for a feed whose fetch failed transiently.",
    )
    fetch_retry_delay: float = Field(
        default=10.0, ge=0, le=MAX_SECONDS, description="Seconds between those tries."
    )

    contact: str = Field(
        default="https://example.org/us-japan-space-briefing",
        max_length=200,
        description="A URL or address where a site's operator can reach whoever runs the "
        "briefing, sent in the User-Agent of every request (a placeholder until set).",
    )
    article_cap: int = Field(
        default=60,
        ge=0,
        le=10_000,
        description="Most full articles fetched (or asked again with a conditional GET) for "
        "one edition; the teasers past it stay as they are.",
    )
    article_host_limit: int = Field(
        default=2, ge=1, le=16, description="Most article requests at once to any one host."
    )
    article_stage_seconds: float = Field(
        default=300.0,
        gt=0,
        le=MAX_SECONDS,
        description="Seconds the whole article round may take; the articles not fetched by "
        "then are read as their teasers, and counted.",
    )
    article_host_seconds: float = Field(
        default=120.0,
        gt=0,
        le=MAX_SECONDS,
        description="Seconds one host's articles may take, from its first request; its pages "
        "not fetched by then are read as their teasers, and counted.",
    )
    article_host_delay: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description="Seconds between the starts of two article requests to one host (a site's "
        "robots.txt Crawl-delay, up to 10 s, when it asks for more).",
    )
    article_retry_delay: float = Field(
        default=2.0,
        ge=0,
        le=MAX_SECONDS,
        description="Seconds before an article whose fetch failed transiently is tried again "
        "(as often as BRIEFING_FETCH_RETRIES says).",
    )

    pdf_list_limit: int | None = Field(
        default=None,
        ge=1,
        le=MAX_LIST_LIMIT,
        description="Most entries the PDF shows of any one list (a story's statements, a "
        "theme's stories or statements, coming up, events, milestones, notes, feeds), on top of "
        "the page budget; the HTML and JSON editions have them all and the PDF says how many "
        "more.",
    )
    pdf_citation_limit: int = Field(
        default=CITATION_LIMIT,
        ge=1,
        le=MAX_LIST_LIMIT,
        description="Most citations the PDF shows for one statement; the HTML shows them all.",
    )
    pdf_max_pages: int = Field(
        default=MAX_PAGES,
        ge=1,
        le=MAX_LIST_LIMIT,
        description="Most pages of the PDF, filled with the most important entries first; the "
        "HTML and JSON editions hold everything.",
    )

    email_recipients: Annotated[tuple[EmailAddress, ...], NoDecode] = Field(
        default=(),
        max_length=MAX_RECIPIENTS,
        description="Comma-separated addresses every emailed edition goes to; a run's "
        "recipients are added to these.",
    )
    operator_email: Annotated[tuple[EmailAddress, ...], NoDecode] = Field(
        default=(),
        max_length=100,
        description="Comma-separated addresses alerted when a scheduled or form run of the "
        "weekly deployment fails, crashes or does not start on time (make up's alert relay, "
        "through the BRIEFING_SMTP_* server).",
    )
    smtp_host: str | None = Field(
        default=None,
        max_length=253,
        description="SMTP server for email when no prefect-email block is named.",
    )
    smtp_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="SMTP port; default 465 for ssl, 587 for starttls, 25 for none.",
    )
    smtp_security: SmtpSecurity = Field(
        default="starttls", description="ssl (implicit TLS), starttls, or none (plain, local only)."
    )
    smtp_username: str | None = Field(
        default=None, max_length=256, description="SMTP login, if it needs one."
    )
    smtp_password: SecretStr | None = Field(
        default=None, max_length=1024, description="SMTP password."
    )
    smtp_from: EmailAddress | None = Field(
        default=None, description="The From address of emailed editions."
    )
    smtp_timeout_seconds: float = Field(
        default=30,
        gt=0,
        le=MAX_SECONDS,
        description="Seconds one delivery attempt may take in all: connecting, TLS, login, "
        "every reply of the server and sending the message.",
    )
    smtp_retries: int = Field(
        default=3, ge=0, le=MAX_RETRIES, description="Retries of a failed delivery, per recipient."
    )
    smtp_retry_delay_seconds: float = Field(
        default=30,
        ge=0,
        le=MAX_SECONDS,
        description="Wait before the first retry; each further retry waits twice as long.",
    )

    public_base_url: str | None = Field(
        default=None,
        max_length=MAX_ADDRESS,
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
        description="Address at which the output folder (BRIEFING_OUT_DIR) is served, e.g. "
        "http://127.0.0.1:8400/: the run's page links to the edition's PDF, HTML and JSON there. "
        "Unset: file:// links, which only open on the machine that ran the flow.",
    )

    publish_bucket: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
        description="S3-compatible bucket each edition's PDF, HTML and JSON are also put in "
        "(for several workers, whose output folders people cannot reach); the run's page then "
        "links there. Unset: nothing is published.",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        max_length=MAX_ADDRESS,
        pattern=r"^https?://[^\s/?#]+/?$",
        description="The S3 service's address, e.g. https://s3.us-east-1.amazonaws.com or "
        "http://127.0.0.1:9000; needed with BRIEFING_PUBLISH_BUCKET.",
    )
    s3_region: str = Field(default="us-east-1", max_length=64, description="The bucket's region.")
    s3_access_key: str | None = Field(default=None, max_length=256, description="S3 access key id.")
    s3_secret_key: SecretStr | None = Field(
        default=None, max_length=1024, description="S3 secret access key."
    )

    @field_validator("public_base_url")
    @classmethod
    def _ends_with_slash(cls, value: str | None) -> str | None:
        return value if value is None or value.endswith("/") else f"{value}/"

    @field_validator("private_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip().lower() for part in value.split(",") if part.strip())
        return value

    @field_validator("private_hosts")
    @classmethod
    def _host_names(cls, hosts: tuple[str, ...]) -> tuple[str, ...]:
        for host in hosts:
            if len(host) > 260 or not re.fullmatch(
                r"[a-z0-9._-]+(:\d{1,5})?|\[[0-9a-f:]+\](:\d{1,5})?", host
            ):
                raise ValueError(f"{host[:80]!r} is not a host or host:port")
        return hosts

    @field_validator("email_recipients", "operator_email", mode="before")
    @classmethod
    def _split_recipients(cls, value: object) -> object:
        if isinstance(value, str):
            return merge_recipients(part for part in value.split(",") if part.strip())
        return value

    def smtp_server(self) -> SmtpServer | None:
        """The SMTP server the settings name, or None when BRIEFING_SMTP_HOST is not set."""
        if not self.smtp_host:
            return None
        return SmtpServer(
            host=self.smtp_host,
            port=self.smtp_port or DEFAULT_PORTS[self.smtp_security],
            security=self.smtp_security,
            username=self.smtp_username,
            password=self.smtp_password,
            timeout_seconds=self.smtp_timeout_seconds,
        )

    def secrets(self) -> list[str | None]:
        """The values no message may show: the SMTP and S3 passwords, the database's."""
        try:
            database_password = urlsplit(self.database_url).password
        except ValueError:
            database_password = None
        return [
            self.smtp_password.get_secret_value() if self.smtp_password else None,
            self.s3_secret_key.get_secret_value() if self.s3_secret_key else None,
            unquote(database_password) if database_password else None,
            database_password,
        ]

    def retry_delays(self) -> list[float]:
        """The wait before each delivery retry: the first delay, doubling each time."""
        return [self.smtp_retry_delay_seconds * 2**n for n in range(self.smtp_retries)]

    @field_validator("seeds_dir", "topic_file", "templates_dir", "out_dir", "config_file")
    @classmethod
    def _path_length(cls, path: Path) -> Path:
        if len(str(path)) > MAX_PATH:
            raise ValueError(f"a path of at most {MAX_PATH} characters")
        return path

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {name!r}; use an IANA name such as Asia/Tokyo"
            ) from exc
        return name


# Settings whose values an error message must not repeat.
_SECRET = frozenset({"smtp_password", "s3_secret_key"})


def load_settings() -> Settings:
    """The settings from the environment; ConfigurationError naming each refused variable."""
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            variable = f"BRIEFING_{field.upper()}" if field else "a BRIEFING_ setting"
            secret = not field or field in _SECRET  # a model-wide error's input is every value
            given = "" if secret else f" (it is {redact(str(error['input']))[:80]!r})"
            problems.append(f"{variable}{given}: {error['msg']}")
        raise ConfigurationError(
            f"refused setting{'s' if len(problems) > 1 else ''}: {'; '.join(problems)}; "
            "change or unset the variable"
        ) from exc
    register_secrets(settings.secrets())
    return settings
