"""Errors the briefing library raises on purpose.

Every one of them says what went wrong and what to do about it::

    BriefingError                 base class: catch this to handle them all
    ├── ConfigurationError        a settings value, topic profile or metadata file is unusable
    ├── SourceError               a source document cannot be read or does not match its metadata
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


class DependencyError(BriefingError):
    """A system library the pipeline needs is missing; the message names the package to install."""


class RenderError(BriefingError):
    """The briefing could not be rendered to HTML or PDF."""


class DeliveryError(BriefingError):
    """The edition was written but could not be emailed to every recipient, even after retries."""
