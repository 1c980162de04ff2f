"""API tokens expire, may be read-only, and remember the login session that made them.

Tokens made before this migration had no expiry; they now expire 90 days after the upgrade, so
scripts keep working while their owners replace them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import ballots.models.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRACE = timedelta(days=90)


def upgrade() -> None:
    tokens = sa.table("chair_tokens", sa.column("expires_at", ballots.models.base.UTCDateTime()))
    op.execute(
        tokens.update()
        .where(tokens.c.expires_at.is_(None))
        .values(expires_at=datetime.now(UTC) + GRACE)
    )
    with op.batch_alter_table("chair_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=16), nullable=False, server_default="full")
        )
        batch_op.add_column(sa.Column("created_by_session", sa.Integer(), nullable=True))
        batch_op.alter_column(
            "expires_at", existing_type=ballots.models.base.UTCDateTime(), nullable=False
        )
        batch_op.create_index(
            batch_op.f("ix_chair_tokens_created_by_session"), ["created_by_session"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_chair_tokens_created_by_session_chair_tokens"),
            "chair_tokens",
            ["created_by_session"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("chair_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_chair_tokens_created_by_session_chair_tokens"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_chair_tokens_created_by_session"))
        batch_op.alter_column(
            "expires_at", existing_type=ballots.models.base.UTCDateTime(), nullable=True
        )
        batch_op.drop_column("created_by_session")
        batch_op.drop_column("scope")
