"""Email addresses: the one rule for a bare address, used by the settings, the run form and mail.

Only a bare address (ASCII, no display name, no quoted local part, no comments) is accepted:
nothing that could carry a line break or a second address into a header.
"""

import re
from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

# A bare address, ASCII only, no display name, no quoted local part, no comments: what a
# stakeholder list needs, and nothing that could carry a line break or a second address.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}")


def parse_address(value: str) -> str:
    """The address with surrounding spaces removed; ValueError unless it is a bare address."""
    address = value.strip()
    # "=?" is legal in a local part but opens an RFC 2047 encoded word: refused, see the docstring.
    if len(address) > 254 or "=?" in address or not _ADDRESS.fullmatch(address):
        raise ValueError(
            f"{value[:80]!r} is not an email address of the form name@example.org "
            "(a bare address: no display name, no spaces, ASCII only)"
        )
    return address


EmailAddress = Annotated[
    str,
    AfterValidator(parse_address),
    # The same rule as a JSON schema pattern, so Prefect refuses a bad address before a run starts.
    WithJsonSchema(
        {
            "type": "string",
            "format": "email",
            "maxLength": 254,
            "pattern": rf"^(?!.*=\?){_ADDRESS.pattern}$",
        }
    ),
]
"""A validated bare email address, shown as an email field in the Prefect UI's form."""


def merge_recipients(*groups: Iterable[str]) -> tuple[str, ...]:
    """Every address once (compared without case), validated, in the order first given."""
    seen: dict[str, str] = {}
    for group in groups:
        for value in group:
            address = parse_address(value)
            seen.setdefault(address.lower(), address)
    return tuple(seen.values())
