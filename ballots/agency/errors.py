"""The agency's refusals: an unknown demand link, a step its state does not allow, a second
rating."""

from __future__ import annotations

from ballots.errors import N_, DomainError


class DemandLinkUnknown(DomainError):
    """A poster or private link that leads nowhere; never says which part was wrong."""

    type = "demand-link-unknown"
    status = 404
    title = N_("This link does not lead to a demand")
    detail_template = N_(
        "The link may be incomplete or mistyped. Please open it again exactly as you saved it."
    )


class PosterUnknown(DomainError):
    type = "poster-unknown"
    status = 404
    title = N_("This poster is no longer in use")
    detail_template = N_(
        "The QR code may be old or incomplete. Please ask the residents' committee for the "
        "current poster, or go to the committee office."
    )


class DemandStateConflict(DomainError):
    """``state`` and ``step`` stay machine-readable; the detail says it in words."""

    type = "demand-state-conflict"
    status = 409
    title = N_("This step does not fit the demand's state")
    detail_template = N_(
        "This step is not possible in the demand's present state. Reload the page to see it."
    )

    def __init__(self, *, state: str, step: str) -> None:
        detail = {
            "closed": N_("The demand is closed: nothing more can be done with it."),
            "escalated": N_("The demand has already been taken to a coordination meeting."),
        }.get(state)
        if step == "accepted" and state != "closed":
            detail = N_(
                "The demand has already been taken on: its first receiver stays responsible."
            )
        super().__init__(detail, state=state, step=step)


class DemandAlreadyRated(DomainError):
    type = "demand-already-rated"
    status = 409
    title = N_("Already rated")
    detail_template = N_(
        "The handling of this demand has already been rated; a rating is given once."
    )


class DemandNotReplied(DomainError):
    type = "demand-not-replied"
    status = 409
    title = N_("No reply yet")
    detail_template = N_("The handling can be rated once the committee has replied.")


class TooManyDemands(DomainError):
    type = "too-many-demands"
    status = 429
    title = N_("Too many demands sent just now")
    detail_template = N_(
        "Many demands were sent from here in a short time. Please try again in {minutes} "
        "minutes, or go to the committee office."
    )


class TooManyWrongLinks(DomainError):
    type = "too-many-wrong-links"
    status = 429
    title = N_("Too many wrong links")
    detail_template = N_("Too many wrong links from your network. Try again in {minutes} minutes.")
