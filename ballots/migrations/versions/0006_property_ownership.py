"""Property ownership: flats (专有部分) with their exclusive floor area, and who owns them.

The roll recorded one area per household; art. 278 counts owners and flats. Existing rolls are
carried over as the importer reads a roster without an ownership column: every household's
home is a flat (its 户号, building, room and area), owned by the household's 业主 (owners).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("building", sa.String(length=64), nullable=False),
        sa.Column("room", sa.String(length=64), nullable=False),
        sa.Column("area", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_flats_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flats")),
        sa.UniqueConstraint("unit_id", "external_id", name=op.f("uq_flats_unit_id_external_id")),
    )
    with op.batch_alter_table("flats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flats_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "ownerships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("flat_id", sa.Integer(), nullable=False),
        sa.Column("share", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["flat_id"], ["flats.id"], name=op.f("fk_ownerships_flat_id_flats")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_ownerships_resident_id_residents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ownerships")),
        sa.UniqueConstraint(
            "resident_id", "flat_id", name=op.f("uq_ownerships_resident_id_flat_id")
        ),
    )
    with op.batch_alter_table("ownerships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ownerships_flat_id"), ["flat_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ownerships_resident_id"), ["resident_id"], unique=False
        )

    op.execute(
        "INSERT INTO flats (unit_id, external_id, building, room, area) "
        "SELECT unit_id, external_id, building, room, area FROM households"
    )
    op.execute(
        "INSERT INTO ownerships (resident_id, flat_id) "
        "SELECT r.id, f.id FROM residents r "
        "JOIN households h ON h.id = r.household_id "
        "JOIN flats f ON f.unit_id = h.unit_id AND f.external_id = h.external_id "
        "WHERE r.role = 'owner'"
    )


def downgrade() -> None:
    with op.batch_alter_table("ownerships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ownerships_resident_id"))
        batch_op.drop_index(batch_op.f("ix_ownerships_flat_id"))
    op.drop_table("ownerships")
    with op.batch_alter_table("flats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flats_unit_id"))
    op.drop_table("flats")
