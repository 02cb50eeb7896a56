"""The run parameters of an edition, described once: each one's title, help, check, and its flag
on the command line.

The run form (the flow's signature, ``form_field``), the command line (``briefing.cli``, whose
``run`` options are made from ``cli_options``) and the parameters table of docs/operations.md
(``parameters_table``, checked by a test) all come from ``EditionParameters``.
"""

import re
from datetime import date
from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from briefing.addresses import EmailAddress
from briefing.errors import ConfigurationError
from briefing.render.document import PageSize
from briefing.sources.feeds import feed_for_url


def _parameter(
    default: Any, title: str, description: str, flag: str, metavar: str | None = None
) -> Any:
    """A run parameter: its form title, its help (the same words in the form and the command's
    help), and its command-line flag (``--x/--no-x`` for a switch on by default)."""
    extra: JsonDict = {"flag": flag, **({"metavar": metavar} if metavar else {})}
    if isinstance(default, list):
        return Field(
            default_factory=list, title=title, description=description, json_schema_extra=extra
        )
    return Field(default=default, title=title, description=description, json_schema_extra=extra)


class EditionParameters(BaseModel):
    """What an edition is made of, checked: the run form's values (``form_values``) become one
    of these at the flow's first step, and the command line builds one directly."""

    # Frozen, so one instance can safely be shared as a default.
    model_config = ConfigDict(extra="forbid", frozen=True)

    edition_date: date | None = _parameter(
        None,
        "Edition date",
        "Date printed on the edition and used in its file names, as YYYY-MM-DD (such as "
        "2023-01-20). Empty: today in the configured time zone (BRIEFING_TIMEZONE).",
        "--date",
        "YYYY-MM-DD",
    )
    page_size: PageSize = _parameter(
        "A4", "Page size", "Paper size of the PDF: A4, or letter (U.S. paper).", "--page-size"
    )
    output_dir: str | None = _parameter(
        None,
        "Output folder",
        "Folder the PDF, HTML and JSON are written to. Empty: the BRIEFING_OUT_DIR setting "
        "(default: out).",
        "--out",
        "DIR",
    )
    since: date | None = _parameter(
        None,
        "Period start",
        "First day of the period feed items are taken from, as YYYY-MM-DD; items dated before "
        "it are left out and counted. Empty: seven days before the edition date.",
        "--since",
        "YYYY-MM-DD",
    )
    include_configured_feeds: bool = _parameter(
        True,
        "Read the configured feeds",
        "Read the feeds listed in the configuration file (BRIEFING_CONFIG_FILE).",
        "--configured-feeds/--no-configured-feeds",
    )
    extra_feed_urls: list[str] = _parameter(
        [],
        "More feeds",
        "More feed URLs (http or https) to read for this edition only.",
        "--feed",
        "URL",
    )
    include_seeds: bool = _parameter(
        True,
        "Include the seed documents",
        "Include the seed documents, the briefing's background (seeds/).",
        "--seeds/--no-seeds",
    )
    allow_private_network: bool = _parameter(
        False,
        "Allow feeds on private networks",
        "Let feeds come from loopback and private addresses (local feed servers). Also on "
        "when BRIEFING_ALLOW_PRIVATE_NETWORK is set; link-local addresses are refused always. "
        "Their article links reach a private address only on the feed's own host (others: "
        "BRIEFING_PRIVATE_HOSTS).",
        "--allow-private-network",
    )
    fetch_articles: bool = _parameter(
        True,
        "Fetch full articles",
        "For a relevant feed item that is only a teaser, fetch the article at its link and "
        "read its whole text, as each feed's full_text setting says. Off: read the feeds' own "
        "text only (BRIEFING_ARTICLE_CAP=0 turns it off for every edition).",
        "--articles/--no-articles",
    )
    send_email: bool = _parameter(
        False,
        "Send email",
        "Email the PDF, with the key points, to the configured recipients "
        "(BRIEFING_EMAIL_RECIPIENTS) and the recipients below. Needs the From address "
        "(BRIEFING_SMTP_FROM) and a mail server: the SMTP block below, or BRIEFING_SMTP_HOST.",
        "--email",
    )
    recipients: list[EmailAddress] = _parameter(
        [],
        "Recipients",
        "More addresses to email this edition to, added to the configured ones. Bare "
        "addresses only, such as analyst@example.org (no name, no angle brackets).",
        "--to",
        "ADDRESS",
    )
    smtp_block: str | None = _parameter(
        None,
        "SMTP block",
        "Name of a prefect-email 'Email Server Credentials' block to send through: lower-case "
        "letters, digits and hyphens, such as briefing-smtp. Empty: the BRIEFING_SMTP_* "
        "settings.",
        "--smtp-block",
        "NAME",
    )
    dry_run: bool = _parameter(
        False,
        "Dry run",
        "Build the email but do not send it: write it as briefing-DATE.eml in the output "
        "folder instead (implies preparing the email). Needs the From address "
        "(BRIEFING_SMTP_FROM), but no mail server.",
        "--dry-run",
    )

    @field_validator("extra_feed_urls")
    @classmethod
    def _web_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            feed_for_url(url)  # raises ValidationError, naming the URL, unless it is http(s)
        return urls

    @field_validator("smtp_block")
    @classmethod
    def _block_name(cls, name: str | None) -> str | None:
        # Prefect's own rule for block names, said in words (a pattern's error is the regex).
        if name is not None and not _BLOCK_NAME.fullmatch(name):
            raise ValueError(
                f"{name[:80]!r} is not a block name: use lower-case letters, digits and "
                "hyphens, starting with a letter or digit, such as briefing-smtp"
            )
        return name

    @model_validator(mode="after")
    def _period_ends_at_the_edition(self) -> Self:
        if self.since and self.edition_date and self.since > self.edition_date:
            raise ValueError("Period start (since) must not be after the edition date")
        return self


_BLOCK_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def flag_of(name: str) -> str:
    """A parameter's command-line flag, as the command's help shows it (``--x/--no-x``)."""
    extra = EditionParameters.model_fields[name].json_schema_extra
    assert isinstance(extra, dict)
    return str(extra["flag"])


def metavar_of(name: str) -> str | None:
    """The placeholder the command's help shows for a parameter's value, if it takes one."""
    extra = EditionParameters.model_fields[name].json_schema_extra
    assert isinstance(extra, dict)
    value = extra.get("metavar")
    return None if value is None else str(value)


# What the run form checks as it is filled in (Prefect's UI and server validate a run's values
# against the deployment's schema): a date as YYYY-MM-DD or nothing, a block's name, a feed's
# scheme. The flow's first step checks them again, in words (``edition_parameters``).
FORM_PATTERNS = {
    "edition_date": r"^(\d{4}-\d{2}-\d{2})?$",
    "since": r"^(\d{4}-\d{2}-\d{2})?$",
    "smtp_block": r"^([a-z0-9][a-z0-9-]*)?$",
}
FORM_ITEM_PATTERNS = {"extra_feed_urls": r"^[Hh][Tt][Tt][Pp][Ss]?://\S+$"}


def form_field(name: str, default: Any) -> Any:
    """A flow parameter as the run form shows it: the title and description of the
    ``EditionParameters`` field of that name (Prefect would title it by its name), and the
    pattern the form checks its value against, if it has one."""
    spec = EditionParameters.model_fields[name]
    extra: JsonDict = {"title": spec.title}
    if name in FORM_PATTERNS:
        extra["pattern"] = FORM_PATTERNS[name]
    if name in FORM_ITEM_PATTERNS:
        extra["items"] = {"type": "string", "pattern": FORM_ITEM_PATTERNS[name]}
    return Field(default=default, description=spec.description, json_schema_extra=extra)


def in_form_words(text: str) -> str:
    """A message written for the command line, each flag it names replaced by the run form's
    field ("--out" becomes the "Output folder" field (output_dir)): what the form's user sees."""
    for name, field in EditionParameters.model_fields.items():
        for flag in flag_of(name).split("/"):
            pattern = rf"(?<![\w-]){re.escape(flag)}(?![\w-])"
            text = re.sub(pattern, f'the "{field.title}" field ({name})', text)
    return text


# The run form's fields: text for what may be left empty (a `X | None` field shows as `Property
# is type "None"`), dates as text too (the date picker drops an impossible date without a word,
# so the run would make today's edition), addresses checked by the flow (the form would answer a
# bad one with the raw pattern). ``edition_parameters`` turns them into ``EditionParameters``.
EMPTY_AS_NONE = ("edition_date", "output_dir", "since", "smtp_block")


def form_values(parameters: EditionParameters) -> dict[str, Any]:
    """The run form's values (the flow's keyword arguments) for these parameters."""
    values = parameters.model_dump(mode="json")
    return {
        name: "" if name in EMPTY_AS_NONE and value is None else value
        for name, value in values.items()
    }


def edition_parameters(**values: Any) -> EditionParameters:
    """The run form's values checked; ConfigurationError naming each bad field by its title
    and name, and saying in words what it needs."""
    for name in EMPTY_AS_NONE:
        if values.get(name) == "":
            values[name] = None
    read_dates(values, in_form=True)
    try:
        return EditionParameters(**values)
    except ValidationError as exc:
        raise ConfigurationError(describe_problems(exc, in_form=True)) from exc


def describe_problems(exc: ValidationError, *, in_form: bool) -> str:
    """What is wrong with the parameters, each named as the user's interface names it: by the
    form field's title (and name), or by the command-line flag."""
    problems = []
    for error in exc.errors():
        location = error["loc"]
        name = str(location[0]) if location else ""
        field = EditionParameters.model_fields.get(name)
        if field is None:
            where = "The parameters"
        elif in_form:
            where = f"{field.title} ({name})"
        else:
            where = flag_of(name).split("/")[0]
        problems.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(problems)


def read_dates(values: dict[str, Any], *, in_form: bool) -> None:
    """The dates among the values, written as text, read in place; ConfigurationError naming
    the field (by its title and name, or by its flag) unless each is a YYYY-MM-DD date."""
    for name in ("edition_date", "since"):
        text = values.get(name)
        if not isinstance(text, str):
            continue
        try:
            if not _ISO_DATE.fullmatch(text.strip()):
                raise ValueError("not YYYY-MM-DD")
            values[name] = date.fromisoformat(text.strip())
        except ValueError:
            title = EditionParameters.model_fields[name].title
            where = f"{title} ({name})" if in_form else flag_of(name)
            empty = ", or leave it empty" if in_form else ""
            raise ConfigurationError(
                f"{where}: {text[:40]!r} is not a date; write it as YYYY-MM-DD, "
                f"such as 2023-01-20{empty}"
            ) from None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parameters_table() -> str:
    """The parameters as a Markdown table: form field, command-line flag, what it does."""
    lines = ["| Run form field | Command line | What it does |", "|---|---|---|"]
    for name, field in EditionParameters.model_fields.items():
        flag = flag_of(name)
        if metavar := metavar_of(name):
            flag = f"{flag} {metavar}"
        lines.append(f"| {field.title} (`{name}`) | `{flag}` | {field.description} |")
    return "\n".join(lines) + "\n"
