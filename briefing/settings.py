"""Settings: the only place that reads the environment (variables prefixed ``BRIEFING_``)."""

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Where the pipeline reads its inputs and writes its editions; every value has a default."""

    model_config = SettingsConfigDict(env_prefix="BRIEFING_", extra="ignore")

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
        default="UTC", description="Time zone that decides today's date for an edition."
    )
    config_file: Path = Field(
        default=PROJECT_ROOT / "briefing.yaml",
        description="Configuration file listing the feeds every edition reads.",
    )
    database_url: str = Field(
        default="sqlite:///out/briefing.db",
        description="SQLAlchemy database URL of the memory of documents, fetches, facts and "
        "editions; a relative SQLite path is relative to the working directory.",
    )
    allow_private_network: bool = Field(
        default=False,
        description="Let feeds be fetched from loopback and private (RFC 1918, ULA) addresses, "
        "for local feed servers and tests. Link-local and reserved addresses stay refused.",
    )
    connect_timeout: float = Field(
        default=10.0, gt=0, description="Seconds to wait for a feed server to accept a connection."
    )
    read_timeout: float = Field(
        default=20.0, gt=0, description="Seconds to wait for each piece of a feed's response."
    )
    fetch_deadline: float = Field(
        default=60.0, gt=0, description="Seconds one feed's fetch may take, redirects included."
    )
    max_feed_bytes: int = Field(
        default=5 * 1024 * 1024, gt=0, description="Most bytes received for one feed, compressed."
    )
    max_decoded_bytes: int = Field(
        default=20 * 1024 * 1024,
        gt=0,
        description="Most bytes one feed may decompress to (stops gzip bombs).",
    )
    fetch_retries: int = Field(
        default=2, ge=0, description="Extra tries for a feed whose fetch failed transiently."
    )
    fetch_retry_delay: float = Field(default=10.0, ge=0, description="Seconds between those tries.")

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
