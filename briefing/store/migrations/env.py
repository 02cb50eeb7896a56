"""Alembic's environment for the memory: the revisions run on the connection the caller passes
in ``config.attributes["connection"]``, inside the transaction it has open (``migrations``)."""

from alembic import context

context.configure(connection=context.config.attributes["connection"])
with context.begin_transaction():
    context.run_migrations()
