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
