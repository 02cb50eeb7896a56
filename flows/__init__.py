"""The Prefect flows and the command line around the library.

Importing any of them hides secrets in every log record of the process from then on (a URL's
password, a credential parameter, the passwords the settings hold): Prefect sends its records
to its server, whose UI shows them to anyone who can open the run.
"""

from briefing.redact import install_log_redaction

install_log_redaction()
