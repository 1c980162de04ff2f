"""A matter's decision record as a story a resident reads and the committee pins up: what was
proposed, when notice was given, each ballot with what it decided and its figures, and every
later step (implementation notes, evaluations), each dated in local time.

Pure: it reads the matter, its public ballots and timeline as ``public_matter`` gives them. It
never shows an internal id, a hash or who clicked what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ballots.errors import N_
from ballots.lifecycle import ballot_spec
from ballots.models import Ballot, Matter, MatterEvent
from vote.api.public import published_result
from vote.i18n import current_locale, gettext_
from vote.pages.followup_labels import record_entry
from vote.pages.labels import event_label
from vote.pages.matter_link_labels import link_kind_label
from vote.pages.result_words import ResultWords, Who, count_of, result_words
from vote.pages.times import deadline_time


@dataclass(frozen=True)
class BallotStory:
    """One ballot of the matter: where it stands and, once published, what it decided."""

    ballot: Ballot
    status: str
    words: ResultWords | None = None


@dataclass(frozen=True)
class Entry:
    """One dated step of the story."""

    at: datetime
    when: str
    what: str
    details: list[str] = field(default_factory=list)
    ballot_id: int | None = None
    note: bool = False


@dataclass(frozen=True)
class Story:
    """The whole record: the proposal's dates, the ballots, and the steps in order."""

    recorded: str
    notice: str
    ballots: list[BallotStory]
    entries: list[Entry]


def _who(ballot: Ballot) -> Who:
    return "household" if ballot.voting_unit == "household" else "person"


def _ballot_status(ballot: Ballot, cancel_reason: str) -> str:
    if ballot.state == "open":
        if ballot.closes_at is not None:
            return gettext_(N_("Voting is open until %(at)s.")) % {
                "at": deadline_time(ballot.closes_at)
            }
        return gettext_(N_("Voting is open."))
    if ballot.state == "closed":
        return gettext_(
            N_("Voting has closed. The result will appear here when the committee publishes it.")
        )
    if ballot.state == "cancelled":
        if cancel_reason:
            return gettext_(N_("This ballot was cancelled: %(reason)s")) % {"reason": cancel_reason}
        return gettext_(N_("This ballot was cancelled. Nothing was counted."))
    return ""


def _words(ballot: Ballot) -> ResultWords | None:
    result = published_result(ballot)
    if result is None:
        return None
    return result_words(ballot_spec(ballot), result, ballot.electorate_size)


def _schedule(title: str, payload: dict[str, object]) -> str:
    opens, closes = payload.get("opens_at"), payload.get("closes_at")
    shown = {
        "title": title,
        "opens": deadline_time(opens if isinstance(opens, str) else None),
        "closes": deadline_time(closes if isinstance(closes, str) else None),
    }
    if opens and closes:
        message = N_("Notice of the ballot “%(title)s”: voting from %(opens)s to %(closes)s.")
    elif closes:
        message = N_("Notice of the ballot “%(title)s”: voting closes %(closes)s.")
    elif opens:
        message = N_("Notice of the ballot “%(title)s”: voting opens %(opens)s.")
    else:
        message = N_("The voting times of “%(title)s” were withdrawn.")
    return gettext_(message) % shown


def _between_matters(kind: str, payload: dict[str, object]) -> list[str]:
    """What a link or a referral step says: how this matter relates to the other and its title
    (links made before titles were noted say the relation only), or where a referral went and
    why."""
    colon = "：" if current_locale.get() == "zh_CN" else ": "
    reason = str(payload.get("reason", "") or "")
    if kind == "matter.linked":
        title = str(payload.get("title", "") or "")
        if "to" in payload:
            said = gettext_(N_("This matter %(relation)s")) % {
                "relation": link_kind_label(str(payload.get("link", "")))
            }
        else:
            said = gettext_(N_("Linked from"))
        return [f"{said}{colon}{title}" if title else said]
    if kind == "matter.referred":
        where = gettext_(N_("Referred to %(to)s")) % {"to": payload.get("to_unit", "")}
    else:
        where = gettext_(N_("Received from %(from)s")) % {"from": payload.get("from_unit", "")}
    return [where] + (
        [gettext_(N_("Why it was referred: %(reason)s")) % {"reason": reason}] if reason else []
    )


def _entry(
    event: MatterEvent, ballots: dict[int, Ballot], words: dict[int, ResultWords]
) -> Entry | None:
    """The event as a step of the story, or ``None`` for one a resident need not read."""
    payload = event.payload or {}
    ballot = ballots.get(event.ballot_id) if event.ballot_id is not None else None
    title = ballot.title if ballot is not None else ""
    when = deadline_time(event.at)
    kind = event.kind
    details: list[str] = []
    if kind == "created":
        what = gettext_(N_("The matter was recorded."))
    elif kind == "edited":
        what = gettext_(N_("The title or description was changed."))
    elif kind == "note":
        what = gettext_(N_("Note"))
        details = [str(payload.get("text", ""))]
    elif kind in ("ballot_created", "ballot_copied"):
        what = gettext_(N_("The ballot “%(title)s” was prepared.")) % {"title": title}
    elif kind == "ballot_scheduled":
        what = _schedule(title, payload)
    elif kind == "ballot_opened" and ballot is not None:
        size = payload.get("electorate_size")
        what = gettext_(N_("Voting on “%(title)s” opened.")) % {"title": title}
        if isinstance(size, int):
            what = gettext_(N_("Voting on “%(title)s” opened; %(count)s eligible.")) % {
                "title": title,
                "count": count_of(_who(ballot), size),
            }
    elif kind == "ballot_closed" and ballot is not None:
        counted = payload.get("ballots_counted")
        what = gettext_(N_("Voting on “%(title)s” closed.")) % {"title": title}
        if isinstance(counted, int):
            what = gettext_(N_("Voting on “%(title)s” closed; %(count)s took part.")) % {
                "title": title,
                "count": count_of(_who(ballot), counted),
            }
    elif kind == "ballot_result":
        return None  # counted, not yet public: the publication says what was decided
    elif kind == "ballot_published":
        what = gettext_(N_("The result of “%(title)s” was published.")) % {"title": title}
        said = words.get(event.ballot_id) if event.ballot_id is not None else None
        if said is not None:
            details = [said.took_part] + [
                f"{question.prompt}{'：' if current_locale.get() == 'zh_CN' else ': '}{text.sentence}"
                for question, text in said.questions
            ]
    elif kind == "ballot_cancelled":
        reason = str(payload.get("reason", "") or "")
        what = gettext_(N_("The ballot “%(title)s” was cancelled.")) % {"title": title}
        if reason:
            details = [gettext_(N_("Reason: %(reason)s")) % {"reason": reason}]
    elif kind in ("matter.linked", "matter.referred", "matter.referred_here"):
        what, details = event_label(kind), _between_matters(kind, payload)
    elif (followed := record_entry(kind, payload)) is not None:
        what, details = followed
    else:
        what = event_label(kind)
    return Entry(
        at=event.at,
        when=when,
        what=what,
        details=details,
        ballot_id=event.ballot_id if ballot is not None else None,
        note=kind == "note",
    )


def record_story(matter: Matter, ballots: Sequence[Ballot], events: Sequence[MatterEvent]) -> Story:
    """The decision record of ``matter`` as a story, in the request's language."""
    by_id = {ballot.id: ballot for ballot in ballots}
    words = {ballot.id: said for ballot in ballots if (said := _words(ballot)) is not None}
    reasons = {
        event.ballot_id: str((event.payload or {}).get("reason", "") or "")
        for event in events
        if event.kind == "ballot_cancelled" and event.ballot_id is not None
    }
    entries = [entry for event in events if (entry := _entry(event, by_id, words)) is not None]
    notice_events = [event for event in events if event.kind == "ballot_scheduled"] or [
        event for event in events if event.kind == "ballot_opened"
    ]
    return Story(
        recorded=deadline_time(matter.created_at),
        notice=deadline_time(notice_events[0].at) if notice_events else "",
        ballots=[
            BallotStory(
                ballot=ballot,
                status=_ballot_status(ballot, reasons.get(ballot.id, "")),
                words=words.get(ballot.id),
            )
            for ballot in ballots
        ],
        entries=entries,
    )
