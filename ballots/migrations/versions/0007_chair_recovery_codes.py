"""Chairs' one-time recovery codes, and a password the chair must change.

A chair may log in with an unused recovery code in place of the TOTP code; only a keyed hash of
each code is stored. ``must_change_password`` marks a password someone else chose (adding the
chair or resetting it); chairs existing before this migration chose theirs, so it starts false.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place, not a batch copy (see downgrade): SQLite adds a column with a constant default.
    op.add_column(
        "chairs",
        sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False),
    )

    op.create_table(
        "chair_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chairs.id"], name=op.f("fk_chair_recovery_codes_chair_id_chairs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chair_recovery_codes")),
        sa.UniqueConstraint(
            "chair_id", "code_hash", name=op.f("uq_chair_recovery_codes_chair_id_code_hash")
        ),
    )


def downgrade() -> None:
    op.drop_table("chair_recovery_codes")
    # Not a batch copy: SQLite (3.35+) drops the column in place, whereas copying the table
    # would drop ``chairs`` while chair_tokens and audit_log rows refer to it.
    op.drop_column("chairs", "must_change_password")
