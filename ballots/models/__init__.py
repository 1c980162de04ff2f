"""SQLAlchemy models for the whole domain, one module per area; import them from here."""

from ballots.models.agency import Demand, DemandCategory, DemandEvent, Poster
from ballots.models.audit import AuditEntry
from ballots.models.ballots import Ballot, Cast, Elector, Participation
from ballots.models.base import Base, UTCDateTime, utcnow
from ballots.models.board import BoardLeaf, BoardNode, TreeHead
from ballots.models.chairs import Chair, ChairRecoveryCode, ChairToken
from ballots.models.followup import (
    Action,
    Agreement,
    EvaluationSubject,
    Issue,
    MatterLink,
    Organisation,
    Party,
    Position,
    Referral,
    SubjectRating,
)
from ballots.models.matters import Matter, MatterEvent
from ballots.models.meetings import (
    Attendance,
    Meeting,
    MeetingFile,
    PaperEntry,
    PaperIssue,
    Proxy,
    Speaker,
)
from ballots.models.notices import Notice, NoticeDocument, NoticeItem, Opinion, OpinionGroup
from ballots.models.roll import Flat, Household, Ownership, Resident
from ballots.models.units import Unit

__all__ = [
    "Action",
    "Agreement",
    "Attendance",
    "AuditEntry",
    "Ballot",
    "Base",
    "BoardLeaf",
    "BoardNode",
    "Cast",
    "Chair",
    "ChairRecoveryCode",
    "ChairToken",
    "Demand",
    "DemandCategory",
    "DemandEvent",
    "Elector",
    "EvaluationSubject",
    "Flat",
    "Household",
    "Issue",
    "Matter",
    "MatterEvent",
    "MatterLink",
    "Meeting",
    "MeetingFile",
    "Notice",
    "NoticeDocument",
    "NoticeItem",
    "Opinion",
    "OpinionGroup",
    "Organisation",
    "Ownership",
    "PaperEntry",
    "PaperIssue",
    "Participation",
    "Party",
    "Position",
    "Poster",
    "Proxy",
    "Referral",
    "Resident",
    "Speaker",
    "SubjectRating",
    "TreeHead",
    "UTCDateTime",
    "Unit",
    "utcnow",
]
