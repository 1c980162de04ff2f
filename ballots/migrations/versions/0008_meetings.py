"""Meetings: attendance, speakers, minutes' files, proxies, paper ballots; ballots held at one.

Ballots gain ``meeting_id`` and ``requires_checkin`` (in-person ballots), ``paper_printed`` (how
many serial-numbered paper ballots exist) and ``paper_counted_at``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:49:20.450574
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ballots.models.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("starts_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("ends_at", ballots.models.base.UTCDateTime(), nullable=True),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.Column("agenda", sa.JSON(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("checkin_secret", sa.String(length=32), nullable=False),
        sa.Column("proxy_limit", sa.Integer(), nullable=False),
        sa.Column("created_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matters.id"], name=op.f("fk_meetings_matter_id_matters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_matter_id"), ["matter_id"], unique=False)

    op.create_table(
        "attendances",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chairs.id"], name=op.f("fk_attendances_chair_id_chairs")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_attendances_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_attendances_resident_id_residents")
        ),
        sa.PrimaryKeyConstraint("meeting_id", "resident_id", name=op.f("pk_attendances")),
    )
    op.create_table(
        "meeting_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_as", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chairs.id"], name=op.f("fk_meeting_files_chair_id_chairs")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_files_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_files")),
    )
    with op.batch_alter_table("meeting_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_files_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "meeting_speakers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("requested_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_speakers_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_meeting_speakers_resident_id_residents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_speakers")),
    )
    with op.batch_alter_table("meeting_speakers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_speakers_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "proxies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("grantor_id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.Column("form_file", sa.String(length=100), nullable=True),
        sa.Column("form_type", sa.String(length=100), nullable=True),
        sa.Column("revoked_at", ballots.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chairs.id"], name=op.f("fk_proxies_chair_id_chairs")
        ),
        sa.ForeignKeyConstraint(
            ["grantor_id"], ["residents.id"], name=op.f("fk_proxies_grantor_id_residents")
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["residents.id"], name=op.f("fk_proxies_holder_id_residents")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_proxies_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proxies")),
        sa.UniqueConstraint(
            "meeting_id", "grantor_id", name=op.f("uq_proxies_meeting_id_grantor_id")
        ),
    )
    with op.batch_alter_table("proxies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proxies_holder_id"), ["holder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proxies_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "paper_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("invalid", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("entered_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_paper_entries_ballot_id_ballots")
        ),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chairs.id"], name=op.f("fk_paper_entries_chair_id_chairs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_entries")),
        sa.UniqueConstraint(
            "ballot_id",
            "chair_id",
            "serial",
            name=op.f("uq_paper_entries_ballot_id_chair_id_serial"),
        ),
    )
    with op.batch_alter_table("paper_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_entries_ballot_id"), ["ballot_id"], unique=False)

    op.create_table(
        "paper_issues",
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("count_key", sa.String(length=32), nullable=False),
        sa.Column("elector_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.Column("proxy_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_paper_issues_ballot_id_ballots")
        ),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chairs.id"], name=op.f("fk_paper_issues_chair_id_chairs")
        ),
        sa.ForeignKeyConstraint(
            ["elector_id"], ["electors.id"], name=op.f("fk_paper_issues_elector_id_electors")
        ),
        sa.ForeignKeyConstraint(
            ["proxy_id"], ["proxies.id"], name=op.f("fk_paper_issues_proxy_id_proxies")
        ),
        sa.PrimaryKeyConstraint("ballot_id", "serial", name=op.f("pk_paper_issues")),
        sa.UniqueConstraint(
            "ballot_id", "count_key", name=op.f("uq_paper_issues_ballot_id_count_key")
        ),
    )
    # In place, not a batch copy: other tables refer to ``ballots``.
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its reference in place (ALTER cannot add a constraint).
        op.execute(
            "ALTER TABLE ballots ADD COLUMN meeting_id INTEGER "
            "CONSTRAINT fk_ballots_meeting_id_meetings REFERENCES meetings (id)"
        )
    else:
        op.add_column("ballots", sa.Column("meeting_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_ballots_meeting_id_meetings"), "ballots", "meetings", ["meeting_id"], ["id"]
        )
    op.create_index(op.f("ix_ballots_meeting_id"), "ballots", ["meeting_id"], unique=False)
    op.add_column(
        "ballots",
        sa.Column("requires_checkin", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "ballots", sa.Column("paper_printed", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "ballots",
        sa.Column("paper_counted_at", ballots.models.base.UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_ballots_meeting_id"), table_name="ballots")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_ballots_meeting_id_meetings"), "ballots", type_="foreignkey")
    for column in ("paper_counted_at", "paper_printed", "requires_checkin", "meeting_id"):
        op.drop_column("ballots", column)

    op.drop_table("paper_issues")
    with op.batch_alter_table("paper_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_entries_ballot_id"))

    op.drop_table("paper_entries")
    with op.batch_alter_table("proxies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proxies_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_proxies_holder_id"))

    op.drop_table("proxies")
    with op.batch_alter_table("meeting_speakers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_speakers_meeting_id"))

    op.drop_table("meeting_speakers")
    with op.batch_alter_table("meeting_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_files_meeting_id"))

    op.drop_table("meeting_files")
    op.drop_table("attendances")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_matter_id"))

    op.drop_table("meetings")
