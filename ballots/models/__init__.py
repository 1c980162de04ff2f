"""SQLAlchemy models for the whole domain, one module per area; import them from here."""

from ballots.models.audit import AuditEntry
from ballots.models.ballots import Ballot, Cast, Elector, Participation
from ballots.models.base import Base, UTCDateTime, utcnow
from ballots.models.board import BoardLeaf, BoardNode, TreeHead
from ballots.models.chairs import Chair, ChairRecoveryCode, ChairToken
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
from ballots.models.roll import Flat, Household, Ownership, Resident
from ballots.models.units import Unit

__all__ = [
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
    "Elector",
    "Flat",
    "Household",
    "Matter",
    "MatterEvent",
    "Meeting",
    "MeetingFile",
    "Ownership",
    "PaperEntry",
    "PaperIssue",
    "Participation",
    "Proxy",
    "Resident",
    "Speaker",
    "TreeHead",
    "UTCDateTime",
    "Unit",
    "utcnow",
]
