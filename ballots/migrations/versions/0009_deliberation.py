"""The deliberation before and after a ballot: notices (公示) with items and documents, opinions
and proposals, organisations, coordination parties, issues, positions, agreements, follow-up
actions, evaluation subjects and their ratings, matter links and referrals, and the agency's
categories, posters, demands and their history. New tables only.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 14:45:15.628490
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ballots.models.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demand_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("deadline_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_demand_categories_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_categories")),
    )
    with op.batch_alter_table("demand_categories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_demand_categories_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "demand_posters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("building", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("created_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_demand_posters_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_posters")),
        sa.UniqueConstraint("token", name=op.f("uq_demand_posters_token")),
    )
    with op.batch_alter_table("demand_posters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_demand_posters_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=False),
        sa.Column("contact_phone", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_organisations_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("unit_id", "name", name=op.f("uq_organisations_unit_id_name")),
    )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisations_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "demands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("poster_id", sa.Integer(), nullable=True),
        sa.Column("building", sa.String(length=64), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photo", sa.String(length=100), nullable=True),
        sa.Column("photo_type", sa.String(length=100), nullable=True),
        sa.Column("contact", sa.String(length=100), nullable=False),
        sa.Column("access_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("received_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("first_receiver_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", ballots.models.base.UTCDateTime(), nullable=True),
        sa.Column("due_at", ballots.models.base.UTCDateTime(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("forwarded_at", ballots.models.base.UTCDateTime(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("replied_at", ballots.models.base.UTCDateTime(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("rating", sa.String(length=16), nullable=True),
        sa.Column("rated_at", ballots.models.base.UTCDateTime(), nullable=True),
        sa.Column("closed_at", ballots.models.base.UTCDateTime(), nullable=True),
        sa.Column("escalated_matter_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["demand_categories.id"],
            name=op.f("fk_demands_category_id_demand_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["escalated_matter_id"],
            ["matters.id"],
            name=op.f("fk_demands_escalated_matter_id_matters"),
        ),
        sa.ForeignKeyConstraint(
            ["first_receiver_id"], ["chairs.id"], name=op.f("fk_demands_first_receiver_id_chairs")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_demands_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["poster_id"], ["demand_posters.id"], name=op.f("fk_demands_poster_id_demand_posters")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_demands_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demands")),
        sa.UniqueConstraint("access_hash", name=op.f("uq_demands_access_hash")),
    )
    with op.batch_alter_table("demands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_demands_received_at"), ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_demands_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "evaluation_subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("matter_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matters.id"], name=op.f("fk_evaluation_subjects_matter_id_matters")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_evaluation_subjects_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_evaluation_subjects_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_subjects")),
    )
    with op.batch_alter_table("evaluation_subjects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_subjects_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matters.id"], name=op.f("fk_issues_matter_id_matters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issues")),
    )
    with op.batch_alter_table("issues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issues_matter_id"), ["matter_id"], unique=False)

    op.create_table(
        "matter_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_matter_id", sa.Integer(), nullable=False),
        sa.Column("to_matter_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chairs.id"], name=op.f("fk_matter_links_chair_id_chairs")
        ),
        sa.ForeignKeyConstraint(
            ["from_matter_id"], ["matters.id"], name=op.f("fk_matter_links_from_matter_id_matters")
        ),
        sa.ForeignKeyConstraint(
            ["to_matter_id"], ["matters.id"], name=op.f("fk_matter_links_to_matter_id_matters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matter_links")),
        sa.UniqueConstraint(
            "from_matter_id",
            "to_matter_id",
            name=op.f("uq_matter_links_from_matter_id_to_matter_id"),
        ),
    )
    with op.batch_alter_table("matter_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_matter_links_from_matter_id"), ["from_matter_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_matter_links_to_matter_id"), ["to_matter_id"], unique=False
        )

    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("template", sa.String(length=32), nullable=False),
        sa.Column("starts_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("ends_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("collects", sa.String(length=16), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("published_at", ballots.models.base.UTCDateTime(), nullable=True),
        sa.Column("withdrawn_at", ballots.models.base.UTCDateTime(), nullable=True),
        sa.Column("created_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matters.id"], name=op.f("fk_notices_matter_id_matters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_matter_id"), ["matter_id"], unique=False)

    op.create_table(
        "parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matters.id"], name=op.f("fk_parties_matter_id_matters")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_parties_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
    )
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parties_matter_id"), ["matter_id"], unique=False)

    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("to_unit_id", sa.Integer(), nullable=False),
        sa.Column("new_matter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("referred_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chairs.id"], name=op.f("fk_referrals_chair_id_chairs")
        ),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matters.id"], name=op.f("fk_referrals_matter_id_matters")
        ),
        sa.ForeignKeyConstraint(
            ["new_matter_id"], ["matters.id"], name=op.f("fk_referrals_new_matter_id_matters")
        ),
        sa.ForeignKeyConstraint(
            ["to_unit_id"], ["units.id"], name=op.f("fk_referrals_to_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_matter_id"), ["matter_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_referrals_new_matter_id"), ["new_matter_id"], unique=False
        )

    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("agreed_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name=op.f("fk_agreements_issue_id_issues")
        ),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matters.id"], name=op.f("fk_agreements_matter_id_matters")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_agreements_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreements_matter_id"), ["matter_id"], unique=False)

    op.create_table(
        "demand_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column("at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chairs.id"], name=op.f("fk_demand_events_chair_id_chairs")
        ),
        sa.ForeignKeyConstraint(
            ["demand_id"], ["demands.id"], name=op.f("fk_demand_events_demand_id_demands")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_events")),
    )
    with op.batch_alter_table("demand_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_demand_events_demand_id"), ["demand_id"], unique=False)

    op.create_table(
        "notice_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_as", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", ballots.models.base.UTCDateTime(), nullable=True),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chairs.id"], name=op.f("fk_notice_documents_chair_id_chairs")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_documents_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_documents")),
    )
    with op.batch_alter_table("notice_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_documents_notice_id"), ["notice_id"], unique=False
        )

    op.create_table(
        "notice_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chairs.id"], name=op.f("fk_notice_items_chair_id_chairs")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_items_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_items")),
        sa.UniqueConstraint(
            "notice_id",
            "item_key",
            "version",
            name=op.f("uq_notice_items_notice_id_item_key_version"),
        ),
    )
    with op.batch_alter_table("notice_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_items_notice_id"), ["notice_id"], unique=False)

    op.create_table(
        "opinion_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("created_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_opinion_groups_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opinion_groups")),
    )
    with op.batch_alter_table("opinion_groups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opinion_groups_notice_id"), ["notice_id"], unique=False
        )

    op.create_table(
        "positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name=op.f("fk_positions_issue_id_issues")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_positions_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positions")),
        sa.UniqueConstraint("issue_id", "party_id", name=op.f("uq_positions_issue_id_party_id")),
    )
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_positions_issue_id"), ["issue_id"], unique=False)

    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("done_at", ballots.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreements.id"], name=op.f("fk_actions_agreement_id_agreements")
        ),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matters.id"], name=op.f("fk_actions_matter_id_matters")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_actions_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["evaluation_subjects.id"],
            name=op.f("fk_actions_subject_id_evaluation_subjects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actions_matter_id"), ["matter_id"], unique=False)

    op.create_table(
        "opinions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("submitted_at", ballots.models.base.UTCDateTime(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("replied_at", ballots.models.base.UTCDateTime(), nullable=True),
        sa.Column("adoption", sa.String(length=16), nullable=True),
        sa.Column("adoption_reason", sa.Text(), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("cost", sa.Integer(), nullable=True),
        sa.Column("shortlisted", sa.Boolean(), nullable=False),
        sa.Column("hidden_at", ballots.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["opinion_groups.id"], name=op.f("fk_opinions_group_id_opinion_groups")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["opinions.id"], name=op.f("fk_opinions_merged_into_id_opinions")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_opinions_notice_id_notices")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_opinions_resident_id_residents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opinions")),
    )
    with op.batch_alter_table("opinions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opinions_notice_id"), ["notice_id"], unique=False)

    op.create_table(
        "subject_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_subject_ratings_ballot_id_ballots")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["evaluation_subjects.id"],
            name=op.f("fk_subject_ratings_subject_id_evaluation_subjects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_ratings")),
        sa.UniqueConstraint(
            "ballot_id", "question_id", name=op.f("uq_subject_ratings_ballot_id_question_id")
        ),
    )
    with op.batch_alter_table("subject_ratings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subject_ratings_ballot_id"), ["ballot_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_subject_ratings_subject_id"), ["subject_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("subject_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_ratings_subject_id"))
        batch_op.drop_index(batch_op.f("ix_subject_ratings_ballot_id"))

    op.drop_table("subject_ratings")
    with op.batch_alter_table("opinions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opinions_notice_id"))

    op.drop_table("opinions")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_matter_id"))

    op.drop_table("actions")
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_positions_issue_id"))

    op.drop_table("positions")
    with op.batch_alter_table("opinion_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opinion_groups_notice_id"))

    op.drop_table("opinion_groups")
    with op.batch_alter_table("notice_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_items_notice_id"))

    op.drop_table("notice_items")
    with op.batch_alter_table("notice_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_documents_notice_id"))

    op.drop_table("notice_documents")
    with op.batch_alter_table("demand_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_demand_events_demand_id"))

    op.drop_table("demand_events")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreements_matter_id"))

    op.drop_table("agreements")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_new_matter_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_matter_id"))

    op.drop_table("referrals")
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parties_matter_id"))

    op.drop_table("parties")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_matter_id"))

    op.drop_table("notices")
    with op.batch_alter_table("matter_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matter_links_to_matter_id"))
        batch_op.drop_index(batch_op.f("ix_matter_links_from_matter_id"))

    op.drop_table("matter_links")
    with op.batch_alter_table("issues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issues_matter_id"))

    op.drop_table("issues")
    with op.batch_alter_table("evaluation_subjects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_subjects_unit_id"))

    op.drop_table("evaluation_subjects")
    with op.batch_alter_table("demands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_demands_unit_id"))
        batch_op.drop_index(batch_op.f("ix_demands_received_at"))

    op.drop_table("demands")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_unit_id"))

    op.drop_table("organisations")
    with op.batch_alter_table("demand_posters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_demand_posters_unit_id"))

    op.drop_table("demand_posters")
    with op.batch_alter_table("demand_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_demand_categories_unit_id"))

    op.drop_table("demand_categories")
