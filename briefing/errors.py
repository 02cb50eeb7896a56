"""Errors the briefing library raises on purpose.

Every one of them says what went wrong and what to do about it::

    BriefingError                 base class: catch this to handle them all
    ├── ConfigurationError        a settings value, topic profile or metadata file is unusable
    ├── SourceError               a source document cannot be read or does not match its metadata
    │   └── FetchError            a URL could not be fetched within the rules (one feed: recorded)
    ├── StoreError                the memory database cannot be opened, read or written
    ├── OutputError               the edition's files cannot be written or read in the output folder
    ├── WorkerError               a worker process parsing or extracting failed
    ├── PublishError              the edition could not be put in the publishing bucket
    ├── ServerError               the run's temporary Prefect server could not be started
    ├── DependencyError           a system library (Pango for WeasyPrint, say) is missing
    ├── RenderError               the briefing could not be turned into HTML or PDF
    └── DeliveryError             the edition could not be emailed to every recipient

Provenance violations (a quote that is not in its source) are pydantic ``ValidationError``s raised
by the models themselves, so no object that breaks the evidence rule can exist at all.
"""


class BriefingError(Exception):
    """Base class of every error this library raises on purpose."""


class ConfigurationError(BriefingError):
    """A settings value, topic profile or metadata file cannot be used as it is."""


class SourceError(BriefingError):
    """A source document cannot be read, or does not match what its metadata says."""


class FetchError(SourceError):
    """A URL could not be fetched within the rules: address, scheme, size, time or HTTP status.

    ``transient`` is true when trying again later may succeed (a timeout, a refused connection,
    a 5xx or 429 answer); ``http_status`` is the last status received, if any.
    """

    def __init__(self, reason: str, *, transient: bool = False, http_status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.http_status = http_status


class StoreError(BriefingError):
    """The memory database cannot be opened, read or written; nothing half-written is left."""


class OutputError(BriefingError):
    """The edition's files (or a dry run's email) cannot be written, or read back whole, in the
    output folder; the previous edition is left as it was, or the message says what is not."""


class WorkerError(BriefingError):
    """A worker process failed; the message carries its last words."""


class PublishError(BriefingError):
    """The edition could not be put in the publishing bucket; its files are in the output folder."""


class ServerError(BriefingError):
    """The temporary Prefect server a run starts for itself could not be started or ended early."""


class DependencyError(BriefingError):
    """A system library the pipeline needs is missing; the message names the package to install."""


class RenderError(BriefingError):
    """The briefing could not be rendered to HTML or PDF."""


class DeliveryError(BriefingError):
    """The edition was written but could not be emailed to every recipient, even after retries.

    ``permanent`` is true when the server refused the message outright (a 5xx reply): trying
    again would only be refused again, so it is not retried.
    """

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent
