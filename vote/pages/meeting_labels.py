"""Words for meetings: their kinds and states, how someone was checked in, a speaker's state."""

from __future__ import annotations

from ballots.errors import N_
from vote.i18n import gettext_

MEETING_KIND_LABELS = {
    "hearing": N_("Hearing"),
    "coordination": N_("Coordination session"),
    "evaluation": N_("Evaluation session"),
    "general": N_("Other meeting"),
}
MEETING_STATE_LABELS = {
    "planned": N_("Not started"),
    "checking_in": N_("Check-in open"),
    "ended": N_("Ended"),
}
CHECKIN_METHOD_LABELS = {
    "venue": N_("Scanned the venue code"),
    "scan": N_("Scanned at the door"),
    "code": N_("Code typed at the door"),
    "hand": N_("Checked in by hand"),
}
SPEAKER_STATE_LABELS = {
    "waiting": N_("Waiting"),
    "spoken": N_("Has spoken"),
    "withdrawn": N_("Withdrawn"),
}


def _label(table: dict[str, str], key: str) -> str:
    return gettext_(table[key]) if key in table else key


def meeting_kind_label(kind: str) -> str:
    return _label(MEETING_KIND_LABELS, kind)


def meeting_state_label(state: str) -> str:
    return _label(MEETING_STATE_LABELS, state)


def checkin_method_label(method: str) -> str:
    return _label(CHECKIN_METHOD_LABELS, method)


def speaker_state_label(state: str) -> str:
    return _label(SPEAKER_STATE_LABELS, state)
