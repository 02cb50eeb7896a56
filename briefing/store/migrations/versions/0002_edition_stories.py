"""The stories each edition carried, so that a story reported again is "developing", not new.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of the stories each edition carried."""
    op.create_table(
        "edition_stories",
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.String(length=64), nullable=False),
        sa.Column(
            "statements",
            sa.JSON(),
            nullable=False,
            comment="The story's first statements, verbatim: what recognises it next time.",
        ),
        sa.ForeignKeyConstraint(["edition_id"], ["editions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("edition_id", "story_id"),
    )


def downgrade() -> None:
    """Drop the stories table; the editions forget which stories they carried."""
    op.drop_table("edition_stories")
