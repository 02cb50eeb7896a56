"""Secrets kept out of everything shown: errors, log records, artifacts and the terminal.

Two kinds of secret are hidden: the password of any URL (``postgresql://user:***@host/db``, the
form SQLAlchemy itself shows) and the value of a query parameter that names a credential
(``token=***``), wherever they appear; and the values the settings mark secret (the database,
SMTP and S3 passwords), registered by ``briefing.settings.load_settings`` as they are read.
``install_log_redaction`` hides both in every log record of the process, Prefect's included
(the records its UI shows), as a safety net behind the messages that are written clean.
"""

import logging
import re
import threading
from collections.abc import Iterable

HIDDEN = "***"
# scheme://user:password@ — the password may hold anything but the characters that end it.
_URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s'\"]*):[^@\s/'\"]*@")
# ?token=..., &password=..., api_key=... in a URL or a message.
_CREDENTIAL_PARAMETER = re.compile(
    r"(?i)(?P<head>\b(?:password|passwd|pwd|token|access_token|api_key|apikey|secret|"
    r"client_secret|sig|signature)=)[^&\s'\"]+"
)
# Shorter values would hide ordinary words; a real password is longer.
MIN_SECRET_LENGTH = 4

_known: set[str] = set()
_lock = threading.Lock()


def register_secrets(values: Iterable[str | None]) -> None:
    """Remember secret values (a password, a key) so that ``redact`` hides them wherever they
    appear, for the rest of the process."""
    with _lock:
        _known.update(v for v in values if v and len(v) >= MIN_SECRET_LENGTH)


def redact(text: str) -> str:
    """The text with every URL's password, every credential parameter's value and every
    registered secret replaced by ``***``."""
    text = _URL_PASSWORD.sub(rf"\g<head>:{HIDDEN}@", text)
    text = _CREDENTIAL_PARAMETER.sub(rf"\g<head>{HIDDEN}", text)
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, HIDDEN)
    return text


def shown_url(url: str) -> str:
    """A URL as an error or a log may show it: its password hidden."""
    return redact(url)


_installed = False


def install_log_redaction() -> None:
    """Hide secrets in every log record made from now on in this process: its message and the
    text of its exception, formatted here once (the standard formatters reuse it)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    make_record = logging.getLogRecordFactory()

    def redacted_record(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed format: left as it is, formatted later
            return record
        record.msg, record.args = redact(message), ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(redacted_record)
