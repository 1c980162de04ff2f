"""Template helpers: translated labels for states, kinds, events and outcomes, number formats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ballots.errors import N_
from tally import Option, Question
from vote.i18n import current_locale, gettext_
from vote.pages.followup_labels import EVENT_LABELS as FOLLOWUP_EVENT_LABELS
from vote.pages.followup_labels import record_entry
from vote.pages.times import deadline_time, local_time

STATE_LABELS = {
    "draft": N_("Draft"),
    "open": N_("Voting open"),
    "closed": N_("Closed"),
    "published": N_("Result published"),
    "cancelled": N_("Cancelled"),
}
KIND_LABELS = {
    "hearing": N_("Decision hearing"),
    "coordination": N_("Coordination meeting"),
    "evaluation": N_("Evaluation meeting"),
    "agency": N_("Residents' agency"),
    "practical": N_("Practical projects"),
    "selection": N_("Selection"),
}
EVENT_LABELS = {
    "created": N_("Matter recorded"),
    "note": N_("Note"),
    "ballot_created": N_("Ballot prepared"),
    "ballot_copied": N_("Ballot copied"),
    "ballot_opened": N_("Voting opened"),
    "ballot_closed": N_("Voting closed"),
    "ballot_result": N_("Result counted"),
    "ballot_published": N_("Result published"),
    "ballot_cancelled": N_("Ballot cancelled"),
    "paper_counted": N_("Paper ballots counted"),
    "ballot_scheduled": N_("Voting times set"),
    "edited": N_("Title or description changed"),
    "meeting.planned": N_("Meeting planned"),
    "meeting.edited": N_("Meeting plan changed"),
    "meeting.minutes": N_("Meeting minutes saved"),
    "meeting.checkin_opened": N_("Meeting check-in opened"),
    "meeting.ended": N_("Meeting ended"),
    "meeting.ballot_held": N_("Ballot held at a meeting"),
    "meeting.file_added": N_("File attached to the minutes"),
    "meeting.file_deleted": N_("File removed from the minutes"),
    "meeting.speaker_added": N_("Asked to speak"),
    "meeting.speaker_signed_up": N_("A resident signed up to speak by phone"),
    "meeting.speaker_spoken": N_("Has spoken"),
    "meeting.speaker_withdrawn": N_("Request to speak withdrawn"),
    "meeting.speaker_waiting": N_("Back in the speakers' queue"),
    "meeting.proxy_recorded": N_("Proxy recorded"),
    "meeting.proxy_revoked": N_("Proxy revoked"),
    "matter.linked": N_("Matters linked"),
    "matter.referred": N_("Referred to another level"),
    "matter.referred_here": N_("Opened by a referral"),
    "notice.published": N_("Public notice published"),
    "notice.changed": N_("Public notice changed"),
    "notice.withdrawn": N_("Public notice withdrawn"),
    "notice.item_changed": N_("Disclosure item changed"),
    "notice.document_added": N_("Document added to a notice"),
    "notice.document_withdrawn": N_("Document withdrawn from a notice"),
    "proposals.ballot": N_("Practical-projects ballot made from residents' proposals"),
    **FOLLOWUP_EVENT_LABELS,
}
OUTCOME_LABELS = {
    "elected": N_("Chosen"),
    "passed": N_("Passed"),
    "rejected": N_("Rejected"),
    "failed": N_("Not passed"),
    "no-quorum": N_("Not enough participation"),
    "runoff": N_("Runoff needed"),
    "reported": N_("Reported"),
    "no-valid-votes": N_("No valid votes"),
}
ROLE_LABELS = {
    "district_admin": N_("District administrator"),
    "street_chair": N_("Street chair"),
    "area_chair": N_("Residential area chair"),
    "observer": N_("Observer"),
    "operator": N_("Operator"),
}
YESNO_LABELS = {"yes": N_("Yes"), "no": N_("No"), "abstain": N_("Abstain")}


def _label(table: dict[str, str], key: str) -> str:
    return gettext_(table[key]) if key in table else key


def state_label(state: str) -> str:
    return _label(STATE_LABELS, state)


def kind_label(kind: str) -> str:
    return _label(KIND_LABELS, kind)


def event_label(kind: str) -> str:
    return _label(EVENT_LABELS, kind)


def outcome_label(outcome: str) -> str:
    return _label(OUTCOME_LABELS, outcome)


def role_label(role: str) -> str:
    return _label(ROLE_LABELS, role)


def option_label(question: Question, option: Option) -> str:
    """An option's label; yes/no/abstain in the reader's language when left at the defaults."""
    if question.kind == "yesno" and option.label.lower() in YESNO_LABELS:
        return gettext_(YESNO_LABELS[option.label.lower()])
    return option.label


def option_name(option_id: str, question: Question) -> str:
    """The label of the option with ``option_id`` (a Jinja filter)."""
    for option in question.options:
        if option.id == option_id:
            return option_label(question, option)
    return option_id


def money(amount: int) -> str:
    """Whole yuan; in Chinese, in 万 for large sums that are round to the hundred (``130 万元``,
    ``12.5 万元``), else in yuan (``1,234,567 元``), so no amount is ever rounded."""
    if current_locale.get() == "zh_CN":
        if amount >= 10000 and amount % 100 == 0:
            return f"{Decimal(amount) / 10000:f} 万元"
        return f"{amount:,} 元" if amount >= 10000 else f"{amount} 元"
    return f"¥{amount:,}"


def number(value: float) -> str:
    """A count or weight without pointless decimals."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def question_hint(question: Question) -> str:
    """What the voter must do for this question, in one line."""
    low, high = question.choice_bounds
    if question.kind in ("single", "yesno", "rating"):
        return gettext_("Choose one.")
    if question.kind == "ranked":
        return gettext_("Rank up to %(n)s options: your favourite first.") % {"n": high}
    if question.kind == "budget":
        return gettext_("Choose projects whose total cost is at most %(limit)s.") % {
            "limit": money(question.budget_limit or 0)
        }
    if low == high:
        return gettext_("Choose exactly %(n)s.") % {"n": low}
    return gettext_("Choose from %(low)s to %(high)s.") % {"low": low, "high": high}


def template_helpers() -> dict[str, Any]:
    """Globals every template may call."""
    from vote.pages.result_words import readable_result  # it uses the labels above

    return {
        "state_label": state_label,
        "kind_label": kind_label,
        "event_label": event_label,
        "outcome_label": outcome_label,
        "role_label": role_label,
        "option_label": option_label,
        "money": money,
        "number": number,
        "question_hint": question_hint,
        "local_time": local_time,
        "deadline_time": deadline_time,
        "readable_result": readable_result,
        "followup_entry": record_entry,
    }
