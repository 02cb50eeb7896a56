"""The copy kept of each full article (#13), so an article seen before costs a 304 or nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of article copies, one per canonical link."""
    op.create_table(
        "article_copies",
        sa.Column("canonical_link", sa.Text(), nullable=False),
        sa.Column(
            "url",
            sa.Text(),
            nullable=False,
            comment="Where it was fetched from, redirects followed.",
        ),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column(
            "text",
            sa.Text(),
            nullable=False,
            comment="The page's main text, without the headline.",
        ),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("canonical_link"),
    )


def downgrade() -> None:
    """Drop the article copies; every article is fetched in full next time."""
    op.drop_table("article_copies")
