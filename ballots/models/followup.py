"""Who residents deal with and what was promised: outside organisations, coordination meetings'
parties, issues, positions and agreements, and follow-up actions with an owner, a deadline and a
status (agreements' actions, rectifications after a poor evaluation, implementation milestones).

Links between matters (a hearing that proposed a project → its selection ballot → coordination →
evaluation → rectification) and referrals up or down a level are here too: both records show
them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ballots.models.base import Base, UTCDateTime, utcnow


class Organisation(Base):
    """An outside organisation a unit deals with: a department (职能部门), a company (a relocation
    or property company), a service agency; with a contact person. Kept per unit, inherited by
    the units below it; ``active`` is false once it is no longer offered."""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="department")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Party(Base):
    """A side at a coordination matter: residents (a named group) or an organisation."""

    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    contact: Mapped[str] = mapped_column(String(200), default="")


class Issue(Base):
    """A question in dispute at a coordination matter."""

    __tablename__ = "issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Position(Base):
    """What one party holds on one issue."""

    __tablename__ = "positions"
    __table_args__ = (UniqueConstraint("issue_id", "party_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    text: Mapped[str] = mapped_column(Text)


class Agreement(Base):
    """What the parties agreed, optionally on one issue, at a meeting."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), index=True)
    issue_id: Mapped[int | None] = mapped_column(ForeignKey("issues.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    text: Mapped[str] = mapped_column(Text)
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EvaluationSubject(Base):
    """Something residents evaluate: a service agency, a completed practical project, a member
    of staff or a team (``kind``); ``matter_id`` is the project's matter, if any."""

    __tablename__ = "evaluation_subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matters.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SubjectRating(Base):
    """A rating question of a ballot that evaluates a subject (one question per subject), for
    the year it counts towards."""

    __tablename__ = "subject_ratings"
    __table_args__ = (UniqueConstraint("ballot_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("evaluation_subjects.id"), index=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)


class Action(Base):
    """A follow-up with an owner, a deadline and a status until done.

    ``kind``: ``agreement`` (an action agreed at a coordination matter, ``agreement_id``),
    ``rectification`` (整改 after a poor rating of ``subject_id``), or ``milestone`` (a step of
    implementing a matter's decision, with ``progress`` in percent). ``owner`` names who must act
    (a person or ``organisation_id``). Overdue is derived: not done and ``due_on`` passed.
    """

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matters.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_subjects.id"))
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MatterLink(Base):
    """``from_matter_id`` led to ``to_matter_id`` (``kind``: proposed, selected, implements,
    coordination, evaluation, rectification, related); shown on both records."""

    __tablename__ = "matter_links"
    __table_args__ = (UniqueConstraint("from_matter_id", "to_matter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), index=True)
    to_matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="related")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("chairs.id"))


class Referral(Base):
    """A matter referred up or down a level: ``matter_id`` stays where it was, ``new_matter_id``
    is the record opened in ``to_unit_id``; both records show the referral and its reason."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), index=True)
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    new_matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("chairs.id"))
