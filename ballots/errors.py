"""Domain errors, each named by the condition it reports.

Every error carries a stable ``type`` slug (the suffix of its RFC 9457 problem type URI), the
HTTP status the web layer answers with, a ``title`` and a ``detail``. Titles and details are
English message ids with ``{name}`` placeholders; the web layer translates them, so they are
marked with :func:`N_` for extraction.
"""

from __future__ import annotations

from typing import Any, ClassVar


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark ``message`` for translation without translating it now."""
    return message


NOUNS = frozenset(
    {
        N_("action"),
        N_("agreement"),
        N_("area"),
        N_("ballot"),
        N_("building"),
        N_("chair"),
        N_("contact"),
        N_("demo chair"),
        N_("district"),
        N_("elector"),
        N_("evaluation subject"),
        N_("file"),
        N_("household"),
        N_("ID"),
        N_("issue"),
        N_("matter"),
        N_("meeting"),
        N_("notice"),
        N_("note"),
        N_("organisation"),
        N_("paper ballot"),
        N_("party"),
        N_("proxy"),
        N_("resident"),
        N_("name"),
        N_("problem type"),
        N_("reply"),
        N_("room"),
        N_("speaker"),
        N_("street"),
        N_("text"),
        N_("title"),
        N_("token"),
        N_("topic"),
        N_("unit"),
    }
)
"""Words used as ``what`` in messages; the web layer translates them with the message."""


class DomainError(Exception):
    """Base class: a request the domain refuses, changing nothing."""

    type: ClassVar[str] = "domain-error"
    status: ClassVar[int] = 400
    title: ClassVar[str] = N_("The request cannot be carried out")
    detail_template: ClassVar[str] = ""

    def __init__(self, detail: str | None = None, **params: Any) -> None:
        self.params = params
        self.detail_msgid = detail if detail is not None else self.detail_template
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        """The untranslated detail with its parameters filled in."""
        return fill(self.detail_msgid, self.params) if self.detail_msgid else self.title


def fill(template: str, params: dict[str, Any]) -> str:
    """``template.format(**params)``, or the template itself if it does not fit the params."""
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


class NotFound(DomainError):
    type = "not-found"
    status = 404
    title = N_("Not found")
    detail_template = N_("No {what} with id {id}.")


class OutsideUnit(DomainError):
    type = "outside-unit"
    status = 403
    title = N_("Outside your unit")
    detail_template = N_("You may only act within your own unit and the units under it.")


ROLE_NAMES = {
    "district_admin": N_("District administrator"),
    "street_chair": N_("Street chair"),
    "area_chair": N_("Residential area chair"),
    "observer": N_("Observer"),
    "operator": N_("Operator"),
}
ACTION_NAMES = {
    "read": N_("read"),
    "manage_roll": N_("manage the roll"),
    "manage_ballots": N_("manage ballots"),
    "manage_units": N_("manage units"),
    "manage_chairs": N_("manage chairs"),
}
NOUNS = NOUNS | frozenset(ROLE_NAMES.values()) | frozenset(ACTION_NAMES.values())


class RoleNotAllowed(DomainError):
    """``role`` and ``action`` stay machine-readable; the detail names both in words."""

    type = "role-not-allowed"
    status = 403
    title = N_("Your role does not allow this")
    detail_template = N_("Your role ({role_name}) may not {action_name}.")

    def __init__(self, *, role: str, action: str) -> None:
        super().__init__(
            role=role,
            action=action.replace("_", " "),
            role_name=ROLE_NAMES.get(role, role),
            action_name=ACTION_NAMES.get(action, action.replace("_", " ")),
        )


class InvalidInput(DomainError):
    type = "invalid-input"
    status = 422
    title = N_("Invalid input")


class InvalidReason(DomainError):
    type = "invalid-reason"
    status = 422
    title = N_("The reason is missing or invalid")
    detail_template = N_("Give the reason for cancelling the ballot.")


class InvalidSpec(DomainError):
    type = "invalid-ballot-spec"
    status = 422
    title = N_("The ballot's questions are invalid")
    detail_template = N_("{field}: {message}")


class BallotNotDraft(DomainError):
    type = "ballot-not-draft"
    status = 409
    title = N_("The ballot can no longer be changed")
    detail_template = N_(
        "Questions and rules can only change while the ballot is a draft; it is {state}."
    )


class TransitionNotAllowed(DomainError):
    type = "transition-not-allowed"
    status = 409
    title = N_("That step is not possible now")
    detail_template = N_("A ballot that is {state} cannot be {action}.")


class EmptyElectorate(DomainError):
    type = "empty-electorate"
    status = 409
    title = N_("Nobody is eligible")
    detail_template = N_("No resident on the roll meets this ballot's eligibility rules.")


class BallotNotOpen(DomainError):
    type = "ballot-not-open"
    status = 409
    title = N_("Voting is not open")
    detail_template = N_("This ballot is {state}; votes are accepted only while it is open.")


class UnknownCredential(DomainError):
    type = "unknown-credential"
    status = 403
    title = N_("Invalid voting code")
    detail_template = N_(
        "This voting code is not valid for this ballot. It may be mistyped, or it was replaced "
        "by a new invitation."
    )


class AlreadyVoted(DomainError):
    type = "already-voted"
    status = 409
    title = N_("You have already voted")
    detail_template = N_("A ballot with this voting code has already been counted.")


class HouseholdAlreadyVoted(DomainError):
    type = "household-already-voted"
    status = 409
    title = N_("Your household has already voted")
    detail_template = N_(
        "This ballot counts one vote per household, and another member of your household has "
        "already voted."
    )


class InvalidAnswer(DomainError):
    type = "invalid-answer"
    status = 422
    title = N_("An answer breaks a rule of its question")


class RosterInvalid(DomainError):
    type = "roster-invalid"
    status = 422
    title = N_("The roster file has errors; nothing was imported")


class InvalidLogin(DomainError):
    type = "invalid-login"
    status = 401
    title = N_("Login failed")
    detail_template = N_("The user name, password or authenticator code is wrong.")


class MistypedCredential(DomainError):
    type = "mistyped-credential"
    status = 422
    title = N_("Please check the digits")
    detail_template = N_(
        "This is not a complete voting code: a digit is missing, extra or mistyped. Please "
        "compare it with your invitation, group by group."
    )


class LoginBusy(DomainError):
    type = "login-busy"
    status = 503
    title = N_("Logins are busy")
    detail_template = N_("Too many logins at once. Please try again in {seconds} seconds.")


class TooManyFailedLogins(DomainError):
    type = "too-many-failed-logins"
    status = 429
    title = N_("Too many failed attempts")
    detail_template = N_("Too many failed attempts. Try again in {seconds} seconds.")


class NotAuthenticated(DomainError):
    type = "not-authenticated"
    status = 401
    title = N_("Please log in")
    detail_template = N_("This needs a chair's login session or API token.")


class DuplicateName(DomainError):
    type = "duplicate"
    status = 409
    title = N_("Already exists")
    detail_template = N_("A {what} named {name!r} already exists.")


class InvalidSchedule(DomainError):
    type = "invalid-schedule"
    status = 422
    title = N_("The schedule is not possible")


class ScheduleFixed(DomainError):
    type = "schedule-fixed"
    status = 409
    title = N_("The schedule can no longer change")
    detail_template = N_("A ballot that is {state} has no schedule left to change.")


class MeetingNotCheckingIn(DomainError):
    type = "check-in-closed"
    status = 409
    title = N_("Check-in is not open")
    detail_template = N_("Check-in for this meeting is not open now.")


class WrongVenueCode(DomainError):
    type = "wrong-venue-code"
    status = 422
    title = N_("The meeting code is not right")
    detail_template = N_(
        "This meeting code is not right or has expired. Please scan the QR code on the screen "
        "again, or type the 6 digits shown beside it now."
    )


class VenueCodeOfAnotherMeeting(DomainError):
    type = "venue-code-of-another-meeting"
    status = 422
    title = N_("The code is for another meeting")
    detail_template = N_(
        "This code belongs to another meeting. Please scan the QR code in the room you are in."
    )


class NotOnThisMeeting(DomainError):
    type = "not-on-this-meeting"
    status = 403
    title = N_("Not on this meeting's list")
    detail_template = N_(
        "This voting code is not on the list of residents for this meeting. Please ask the staff "
        "at the door."
    )


class AlreadyCheckedIn(DomainError):
    type = "already-checked-in"
    status = 409
    title = N_("Already checked in")
    detail_template = N_("{name} is already checked in (at {time}).")


class NotCheckedIn(DomainError):
    type = "not-checked-in"
    status = 403
    title = N_("Check in first")
    detail_template = N_(
        "This ballot is voted on at the meeting: please check in at the meeting first, then vote."
    )


class VotedOnPaper(DomainError):
    type = "voted-on-paper"
    status = 409
    title = N_("A paper ballot was issued")
    detail_template = N_(
        "A paper ballot (number {serial}) was handed out for this vote, so it cannot also be "
        "cast by phone. Please fill in the paper ballot."
    )


class MeetingStateConflict(DomainError):
    type = "meeting-state"
    status = 409
    title = N_("Not possible at this point of the meeting")
    detail_template = N_("This is not possible at this point of the meeting.")


class ProxyLimitReached(DomainError):
    type = "proxy-limit-reached"
    status = 409
    title = N_("Too many proxies for one person")
    detail_template = N_(
        "{holder} already holds {count} proxies; at this meeting each person may hold at most "
        "{limit}."
    )


class ProxyForSelf(DomainError):
    type = "proxy-for-self"
    status = 422
    title = N_("A proxy must go to someone else")
    detail_template = N_("{name} cannot be their own proxy: please choose someone else.")


class ProxyAlreadyGiven(DomainError):
    type = "proxy-already-given"
    status = 409
    title = N_("A proxy was already given")
    detail_template = N_(
        "{grantor} has already given a proxy to {holder} for this meeting. Revoke it first to "
        "choose someone else."
    )


class ProxyNotOnRoll(DomainError):
    type = "proxy-not-on-roll"
    status = 422
    title = N_("Not on this meeting's list")
    detail_template = N_("{name} is not on the list of residents for this meeting.")


class ProxyGrantorVoted(DomainError):
    type = "proxy-grantor-voted"
    status = 409
    title = N_("Already voted")
    detail_template = N_(
        "The vote of {name} on “{ballot}” has already been cast, so {name} can no longer give "
        "a proxy."
    )


class ProxyGrantorPresent(DomainError):
    type = "proxy-grantor-present"
    status = 409
    title = N_("Present in person")
    detail_template = N_(
        "{name} is checked in at this meeting and votes in person, so no proxy is needed."
    )


class ProxyChain(DomainError):
    type = "proxy-chain"
    status = 409
    title = N_("Proxies cannot be passed on")
    detail_template = N_(
        "{name} has given their own proxy to {other}, so cannot hold a proxy for anyone else."
    )


class ProxyUsed(DomainError):
    type = "proxy-used"
    status = 409
    title = N_("This proxy has been used")
    detail_template = N_(
        "{holder} has already voted for {grantor} with this proxy, so it can no longer be revoked."
    )


class ProxyRevoked(DomainError):
    type = "proxy-revoked"
    status = 409
    title = N_("This proxy was revoked")
    detail_template = N_("This proxy was already revoked.")


class GrantorCannotCheckIn(DomainError):
    type = "grantor-has-proxy"
    status = 409
    title = N_("Represented by a proxy")
    detail_template = N_(
        "{name} has given a proxy to {holder} for this meeting. To attend in person, ask the "
        "staff to revoke the proxy first."
    )
