"""The resident's voting page: open an invitation link, answer, review, confirm, get a receipt.

It works without JavaScript (type the code from the invitation); with JavaScript the code is
taken from the link's ``#`` fragment and never reaches the server's logs. The form posts with an
``action``: ``check`` (the code alone), ``review`` (the answers in words, to confirm), ``edit``
(back to the form, choices kept) or ``cast``. A form without one (from before the review step)
casts, as it used to. A hidden submission id, new on every review page, makes a double tap or a
resent form return the same receipt. Every mistake is shown beside its question, all at once;
a code already used, a ballot not open, closed or cancelled, and a link that leads nowhere each
get a page of their own with one next step.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from litestar import Request, Router, get, post
from litestar.datastructures import CacheControlHeader
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.casting import cast_ballot, voter_status
from ballots.credentials import normalise_credential
from ballots.errors import (
    AlreadyVoted,
    BallotNotOpen,
    DomainError,
    HouseholdAlreadyVoted,
    MistypedCredential,
    NotCheckedIn,
    NotFound,
    UnknownCredential,
    VotedOnPaper,
)
from ballots.lifecycle import ballot_spec, cancellation_reason, get_ballot
from ballots.matters import get_matter
from ballots.models import Ballot
from ballots.units import get_unit
from tally import BallotSpec, receipt_code
from vote.api.params import IdParam
from vote.guards import TooManyFailedCodes, code_attempt
from vote.i18n import gettext_, localise
from vote.live import ballot_changed
from vote.pages.errors import page
from vote.pages.vote_form import (
    Filled,
    Form,
    code_groups,
    counter_texts,
    credential_of,
    first,
    form_fields,
    question_errors,
    read_form,
    review_rows,
    shown_credential,
)
from vote.web import AppContext, client_ip

VOTE_FORM_MAX_BYTES = 64 * 1024
ACTIONS = ("check", "review", "edit", "cast")
STATE_PAGES = {"closed": "closed", "published": "published", "cancelled": "cancelled"}


async def _about(db: AsyncSession, ballot: Ballot) -> dict[str, Any]:
    """What every voting page shows at the top: who asks, on which matter, until when."""
    matter = await get_matter(db, ballot.matter_id)
    return {"ballot": ballot, "matter": matter, "unit": await get_unit(db, matter.unit_id)}


async def _state_page(
    db: AsyncSession,
    ctx: AppContext,
    ballot: Ballot | None,
    state: str,
    *,
    status_code: int = 200,
    credential: str = "",
    revoting: bool = False,
    serial: int | None = None,
) -> Template:
    """A page saying one thing (voted, closed, cancelled, not open yet, a bad link, check in
    first, a paper ballot was issued) and the next step, instead of the form."""
    about = await _about(db, ballot) if ballot is not None else {"ballot": None}
    return page(
        "vote_state.html",
        status_code=status_code,
        state=state,
        reason=await cancellation_reason(db, ballot) if ballot is not None else "",
        credential=credential,
        revoting=revoting,
        serial=serial,
        office_phone=ctx.settings.office_phone,
        **about,
    )


async def _form_page(
    db: AsyncSession,
    ballot: Ballot,
    spec: BallotSpec,
    *,
    status_code: int = 200,
    filled: Filled | None = None,
    errors: dict[str, str] | None = None,
    credential: str = "",
    code_error: str = "",
    code_ok: bool = False,
    error: str = "",
) -> Template:
    filled = filled or Filled()
    errors = errors or {}
    numbers = {question.id: n for n, question in enumerate(spec.questions, start=1)}
    return page(
        "vote.html",
        status_code=status_code,
        spec=spec,
        chosen=filled.answers,
        ranks=filled.ranks,
        errors=errors,
        error_list=[
            (numbers[question.id], question.prompt, errors[question.id])
            for question in spec.questions
            if question.id in errors
        ],
        counters={question.id: counter_texts(question) for question in spec.questions},
        groups=code_groups(credential),
        code_error=code_error,
        code_ok=code_ok,
        error=error,
        **await _about(db, ballot),
    )


async def _ballot_or_page(
    db: AsyncSession, ctx: AppContext, ballot_id: int, *, posted: bool = False
) -> Ballot | Template:
    """The ballot to vote on, or the page to show instead: a bad link, not open yet, over."""
    try:
        ballot = await get_ballot(db, ballot_id)
    except NotFound:
        return await _state_page(db, ctx, None, "invalid", status_code=404)
    if ballot.state == "draft":
        # A draft stays private unless its opening time is set (and so on its matter's record).
        if ballot.opens_at is None:
            return await _state_page(db, ctx, None, "invalid", status_code=404)
        return await _state_page(db, ctx, ballot, "not-open", status_code=409 if posted else 200)
    return ballot


@get("/v/{ballot_id:int}", name="vote-page")
async def vote_page(db: AsyncSession, ctx: AppContext, ballot_id: IdParam) -> Template:
    found = await _ballot_or_page(db, ctx, ballot_id)
    if isinstance(found, Template):
        return found
    if found.state != "open":
        return await _state_page(db, ctx, found, STATE_PAGES[found.state])
    return await _form_page(db, found, ballot_spec(found))


@post(
    "/v/{ballot_id:int}",
    request_max_body_size=VOTE_FORM_MAX_BYTES,
    # The pages answering a post may hold the code (the review page's hidden field): not kept.
    cache_control=CacheControlHeader(no_store=True),
)
async def submit_vote(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    ballot_id: IdParam,
) -> Template:
    found = await _ballot_or_page(db, ctx, ballot_id, posted=True)
    if isinstance(found, Template):
        return found
    ballot = found
    form_data = await request.form()
    form: Form = {key: [str(v) for v in form_data.getall(key)] for key in form_data}
    action = first(form, "action") or "cast"  # a form from before the review step casts
    if action not in ACTIONS:
        action = "review"
    spec = ballot_spec(ballot)
    filled = read_form(spec, form)
    credential = credential_of(form)
    if ballot.state != "open" and action != "cast":  # a cast may be a retry of a counted vote
        return await _state_page(db, ctx, ballot, STATE_PAGES[ballot.state], status_code=409)
    if action == "edit":
        return await _form_page(db, ballot, spec, filled=filled, credential=credential)
    voter = _Voter(request, db, ctx, ballot, spec, credential)
    if action == "check":
        return await voter.check(filled)
    if action == "review":
        return await voter.review(filled)
    return await voter.cast(filled, (form.get("submission_id") or [""])[0][:100])


@dataclass
class _CodeCheck:
    """A code checked: a ``message`` (with its ``status``) for the code box, a ``state`` page to
    show instead of the form (``voted``, ``household``; at a meeting ``needs-checkin``, or
    ``paper`` with the paper ballot's ``serial``), or whether it ``voted`` before and may vote
    again."""

    message: str = ""
    status: int = 422
    state: str = ""
    voted: bool = False
    serial: int | None = None


class _Voter:
    """One resident's post: their code, checked under the address's limit, and their answers."""

    def __init__(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        ctx: AppContext,
        ballot: Ballot,
        spec: BallotSpec,
        credential: str,
    ) -> None:
        self.request, self.db, self.ctx = request, db, ctx
        self.ballot, self.spec, self.credential = ballot, spec, credential
        self.ballot_id = ballot.id

    async def _check_code(self) -> _CodeCheck:
        """Check the code under the address's limit (only a wrong well-formed code counts)."""
        if not self.credential.strip("- "):
            message = gettext_("Please type the 25-digit code from your invitation.")
            return _CodeCheck(message=message, status=422)
        if normalise_credential(self.credential) is None:
            mistyped = MistypedCredential()
            return _CodeCheck(message=localise(mistyped.detail_msgid, {}), status=mistyped.status)
        try:
            async with code_attempt(self.ctx, self._ip(), self.credential):
                status = await voter_status(
                    self.db, self.ctx.secret_key, self.ballot_id, self.credential
                )
        except (UnknownCredential, TooManyFailedCodes) as error:
            if isinstance(error, UnknownCredential):
                self.credential = ""  # a wrong code is not shown back
            return _CodeCheck(
                message=localise(error.detail_msgid, error.params), status=error.status
            )
        if status.household_has_voted:
            return _CodeCheck(state="household")
        if status.has_voted and not status.revoting:
            return _CodeCheck(state="voted")
        if status.paper_serial is not None:
            return _CodeCheck(state="paper", serial=status.paper_serial)
        if status.needs_checkin:
            return _CodeCheck(state="needs-checkin")
        return _CodeCheck(voted=status.has_voted)

    def _ip(self) -> str:
        return client_ip(self.request, self.ctx.settings)

    async def _state(
        self, state: str, *, status_code: int = 409, serial: int | None = None
    ) -> Template:
        return await _state_page(
            self.db,
            self.ctx,
            self.ballot,
            state,
            status_code=status_code,
            credential=shown_credential(self.credential),
            revoting=self.ballot.revoting,
            serial=serial,
        )

    async def _form(
        self,
        filled: Filled,
        errors: dict[str, str],
        *,
        status_code: int,
        code_error: str = "",
        code_ok: bool = False,
        error: str = "",
    ) -> Template:
        return await _form_page(
            self.db,
            self.ballot,
            self.spec,
            status_code=status_code,
            filled=filled,
            errors=errors,
            credential=self.credential,
            code_error=code_error,
            code_ok=code_ok,
            error=error,
        )

    async def check(self, filled: Filled) -> Template:
        """The code alone (no JavaScript): a page if it has voted, else the form to fill."""
        checked = await self._check_code()
        if checked.state or checked.voted:  # voted (perhaps may vote again), household voted…
            return await self._state(
                checked.state or "voted", status_code=200, serial=checked.serial
            )
        if checked.message:
            return await self._form(
                filled, {}, status_code=checked.status, code_error=checked.message
            )
        return await self._form(filled, {}, status_code=200, code_ok=True)

    async def review(self, filled: Filled) -> Template:
        """The answers in words to confirm, or the form with every mistake beside its place."""
        errors = question_errors(self.spec, filled)
        checked = await self._check_code()
        if checked.state:
            return await self._state(checked.state, serial=checked.serial)
        if checked.message or errors:
            return await self._form(
                filled, errors, status_code=checked.status, code_error=checked.message
            )
        return page(
            "vote_review.html",
            spec=self.spec,
            rows=review_rows(self.spec, filled.answers),
            fields=form_fields(self.spec, filled.answers),
            credential=shown_credential(self.credential),
            submission_id=secrets.token_urlsafe(16),
            replacing=checked.voted,
            **await _about(self.db, self.ballot),
        )

    async def cast(self, filled: Filled, submission_id: str) -> Template:
        """Cast the vote and show the receipt (acknowledged only once committed)."""
        errors = question_errors(self.spec, filled)
        if errors or normalise_credential(self.credential) is None:
            checked = await self._check_code()
            if checked.state:
                return await self._state(checked.state, serial=checked.serial)
            return await self._form(
                filled, errors, status_code=checked.status, code_error=checked.message
            )
        try:
            async with code_attempt(self.ctx, self._ip(), self.credential):
                receipt = await cast_ballot(
                    self.db,
                    self.ctx.secret_key,
                    self.ballot_id,
                    self.credential,
                    filled.answers,
                    submission_id=submission_id,
                    signer=self.ctx.signer,
                )
        except DomainError as error:
            # The failed cast rolled the session back: read the ballot again to show the page.
            self.ballot = await get_ballot(self.db, self.ballot_id)
            return await self._refused(error, filled, errors)
        ballot_changed(self.request.app, self.ballot_id)
        check_path = f"/ballots/{self.ballot_id}/check?tracker={receipt.tracker}"
        return page(
            "receipt.html",
            ballot=self.ballot,
            receipt=receipt,
            # The tracker as residents read it aloud: 26 digits (tally.receipts).
            code=receipt_code(receipt.tracker) or receipt.tracker,
            check_path=check_path,
        )

    async def _refused(
        self, error: DomainError, filled: Filled, errors: dict[str, str]
    ) -> Template:
        """The page for a vote the domain refused: a state page, or the form with the reason."""
        if isinstance(error, AlreadyVoted):
            return await self._state("voted")
        if isinstance(error, HouseholdAlreadyVoted):
            return await self._state("household")
        if isinstance(error, NotCheckedIn):
            return await self._state("needs-checkin", status_code=error.status)
        if isinstance(error, VotedOnPaper):
            serial = error.params.get("serial")
            return await self._state(
                "paper",
                status_code=error.status,
                serial=serial if isinstance(serial, int) else None,
            )
        if isinstance(error, BallotNotOpen):
            state = STATE_PAGES.get(self.ballot.state, "closed")
            return await _state_page(self.db, self.ctx, self.ballot, state, status_code=409)
        message = (
            localise(error.detail_msgid, error.params)
            if error.detail_msgid
            else gettext_(error.title)
        )
        if isinstance(error, UnknownCredential | TooManyFailedCodes):
            if isinstance(error, UnknownCredential):
                self.credential = ""  # a wrong code is not shown back
            return await self._form(filled, errors, status_code=error.status, code_error=message)
        return await self._form(filled, errors, status_code=error.status, error=message)


router = Router(path="/", route_handlers=[vote_page, submit_vote], include_in_schema=False)
