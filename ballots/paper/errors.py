"""The refusals of the paper-ballot workflow, each in words a chair can act on."""

from __future__ import annotations

from ballots.errors import N_, DomainError


class NotInElectorate(DomainError):
    type = "not-in-electorate"
    status = 422
    title = N_("Not a voter on this ballot")
    detail_template = N_("{name} is not in this ballot's electorate.")


class AlreadyVotedByPhone(DomainError):
    type = "already-voted-by-phone"
    status = 409
    title = N_("Already voted by phone")
    detail_template = N_(
        "A vote for {name} (or their household) was already cast by phone; no paper ballot can be "
        "issued for it."
    )


class AlreadyHoldsPaper(DomainError):
    type = "already-holds-paper"
    status = 409
    title = N_("A paper ballot was already issued")
    detail_template = N_(
        "Paper ballot number {serial} was already issued for {name} (or their household)."
    )


class SerialNotPrinted(DomainError):
    type = "serial-not-printed"
    status = 422
    title = N_("No such paper ballot number")
    detail_template = N_(
        "Paper ballot number {serial} was not printed: the numbers printed are 1 to {printed}."
    )


class SerialTaken(DomainError):
    type = "serial-taken"
    status = 409
    title = N_("This paper ballot number is already issued")
    detail_template = N_("Paper ballot number {serial} was already issued to someone else.")


class NotPresent(DomainError):
    type = "not-present"
    status = 409
    title = N_("Not checked in")
    detail_template = N_(
        "This ballot is voted on at the meeting: {name} must be checked in, or be represented by "
        "a proxy holder who is."
    )


class ProxyNotValid(DomainError):
    type = "proxy-not-valid"
    status = 422
    title = N_("This proxy cannot be used")
    detail_template = N_(
        "The proxy is not {name}'s proxy at this ballot's meeting, was revoked, or its holder is "
        "not checked in."
    )


class NoVoterGiven(DomainError):
    type = "no-voter-given"
    status = 422
    title = N_("Who receives the paper ballot?")
    detail_template = N_("Choose the resident by name, or type their voting code.")


class PaperNotEntering(DomainError):
    type = "paper-not-entering"
    status = 409
    title = N_("Paper ballots cannot be entered now")
    detail_template = N_(
        "Paper ballots are entered after voting closes and before they are counted into the result."
    )


class SerialNotIssued(DomainError):
    type = "serial-not-issued"
    status = 422
    title = N_("This paper ballot was not issued")
    detail_template = N_("Paper ballot number {serial} was never issued, so it cannot be entered.")


class AlreadyEntered(DomainError):
    type = "already-entered"
    status = 409
    title = N_("You already entered this paper ballot")
    detail_template = N_(
        "You already entered paper ballot number {serial}. To change it, correct your entry."
    )


class NotEnteredYet(DomainError):
    type = "not-entered-yet"
    status = 404
    title = N_("Nothing to correct")
    detail_template = N_("You have not entered paper ballot number {serial} yet.")


class EnteredByTwo(DomainError):
    type = "entered-by-two"
    status = 409
    title = N_("Two chairs already entered this paper ballot")
    detail_template = N_(
        "Paper ballot number {serial} was already entered by two other chairs; only they can "
        "correct their entries."
    )


class ChairOnly(DomainError):
    type = "chair-only"
    status = 403
    title = N_("Only a chair can do this")
    detail_template = N_("Paper ballots are entered by chairs signed in with their own account.")


class InvalidWithAnswers(DomainError):
    type = "invalid-with-answers"
    status = 422
    title = N_("An invalid ballot has no answers")
    detail_template = N_("Mark the paper ballot as invalid, or enter its answers, not both.")


class PaperNotReady(DomainError):
    type = "paper-not-ready"
    status = 409
    title = N_("The paper ballots are not counted yet")
    detail_template = N_(
        "Paper ballots were issued on this ballot: enter them twice, then count them before "
        "publishing."
    )


class PaperAlreadyCounted(DomainError):
    type = "paper-already-counted"
    status = 409
    title = N_("The paper ballots are already counted")
    detail_template = N_("The paper ballots of this ballot were counted already.")


class TooManySheets(DomainError):
    type = "too-many-sheets"
    status = 422
    title = N_("Too many paper ballots")
    detail_template = N_(
        "Print between 1 and {max} paper ballots at a time (at most {total} in all)."
    )


class PaperNotPrintable(DomainError):
    type = "paper-not-printable"
    status = 409
    title = N_("Paper ballots cannot be printed now")
    detail_template = N_("Paper ballots are printed while the ballot is a draft or open.")
