"""The bounds of a fetch and a previous fetch's cache validators: records the network code
(``briefing.sources.fetch``) reads and the feed records carry, kept apart from it so that what
parses feeds (the worker processes, ``briefing.workers``) does not import the HTTP client: httpx
and its command line's imports are 0.1 s of each worker's start, paid before its first feed."""

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import httpx


class FetchLimits(BaseModel):
    """The bounds one fetch runs within."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=20.0, gt=0)
    deadline: float = Field(default=60.0, gt=0, description="Seconds for the whole fetch.")
    max_raw_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    max_decoded_bytes: int = Field(default=20 * 1024 * 1024, gt=0)

    def timeout(self) -> "httpx.Timeout":
        """The httpx timeouts these limits mean."""
        import httpx

        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.read_timeout,
            pool=self.connect_timeout,
        )


class Validators(BaseModel):
    """The cache validators of a previous fetch, sent back to ask "has it changed?"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    etag: str | None = None
    last_modified: str | None = None
