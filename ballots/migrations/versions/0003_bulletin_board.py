"""The bulletin board: leaves, Merkle nodes, signed tree heads; log state on ballots.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 03:29:32.419732
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "board_leaves",
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_board_leaves_ballot_id_ballots")
        ),
        sa.PrimaryKeyConstraint("ballot_id", "index", name=op.f("pk_board_leaves")),
    )
    op.create_table(
        "board_nodes",
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_board_nodes_ballot_id_ballots")
        ),
        sa.PrimaryKeyConstraint("ballot_id", "level", "index", name=op.f("pk_board_nodes")),
    )
    op.create_table(
        "tree_heads",
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("signature", sa.LargeBinary(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_tree_heads_ballot_id_ballots")
        ),
        sa.PrimaryKeyConstraint("ballot_id", "tree_size", name=op.f("pk_tree_heads")),
    )
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "publish_participation", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(sa.Column("log_size", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("log_edge", sa.LargeBinary(), nullable=False, server_default=sa.text("''"))
        )

    with op.batch_alter_table("casts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leaf_index", sa.Integer(), nullable=True))
        # Answers-derived submission keys repeat when a voter changes back to earlier answers.
        batch_op.drop_constraint("uq_casts_ballot_id_submission_key", type_="unique")
        batch_op.create_index(
            "ix_casts_ballot_id_submission_key", ["ballot_id", "submission_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("casts", schema=None) as batch_op:
        batch_op.drop_index("ix_casts_ballot_id_submission_key")
        batch_op.create_unique_constraint(
            "uq_casts_ballot_id_submission_key", ["ballot_id", "submission_key"]
        )
        batch_op.drop_column("leaf_index")

    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_column("log_edge")
        batch_op.drop_column("log_size")
        batch_op.drop_column("publish_participation")

    op.drop_table("tree_heads")
    op.drop_table("board_nodes")
    op.drop_table("board_leaves")
