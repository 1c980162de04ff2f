"""The resident's voting page: open an invitation link, answer, submit, get a receipt.

It works without JavaScript (type the code from the invitation); with JavaScript the code is
taken from the link's ``#`` fragment. A hidden submission id makes a double tap or a resent
form return the same receipt.
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request, Router, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.casting import cast_ballot
from ballots.errors import DomainError, UnknownCredential
from ballots.lifecycle import ballot_spec
from ballots.matters import get_matter
from ballots.models import Ballot
from tally import BallotSpec
from vote.api.params import IdParam
from vote.api.public import public_ballot
from vote.guards import code_attempt
from vote.i18n import gettext_, localise
from vote.live import ballot_changed
from vote.pages.errors import page
from vote.printing import qr_svg
from vote.web import AppContext, client_ip

VOTE_FORM_MAX_BYTES = 64 * 1024


def answers_from_form(spec: BallotSpec, form: dict[str, list[str]]) -> dict[str, list[str]]:
    """Turn the posted form into answers: ``q:<id>`` values, or ``q:<id>:<rank>`` selects."""
    answers: dict[str, list[str]] = {}
    for question in spec.questions:
        if question.kind == "ranked":
            ranked = []
            for position in range(question.choice_bounds[1]):
                values = [v for v in form.get(f"q:{question.id}:{position}", []) if v]
                ranked.extend(values[:1])
            answers[question.id] = ranked
        else:
            answers[question.id] = [v for v in form.get(f"q:{question.id}", []) if v]
    return answers


async def _vote_page(
    db: AsyncSession,
    ballot: Ballot,
    *,
    status_code: int = 200,
    error: str = "",
    credential: str = "",
    chosen: dict[str, list[str]] | None = None,
) -> Template:
    matter = await get_matter(db, ballot.matter_id)
    not_open = {
        "closed": gettext_("Voting on this ballot has closed."),
        "published": gettext_("Voting on this ballot has closed. The result is published."),
        "cancelled": gettext_("This ballot was cancelled."),
    }.get(ballot.state, "")
    return page(
        "vote.html",
        status_code=status_code,
        ballot=ballot,
        matter=matter,
        spec=ballot_spec(ballot),
        error=error,
        credential=credential,
        chosen=chosen or {},
        submission_id=secrets.token_urlsafe(16),
        not_open_message=not_open,
    )


@get("/v/{ballot_id:int}", name="vote-page")
async def vote_page(db: AsyncSession, ballot_id: IdParam) -> Template:
    return await _vote_page(db, await public_ballot(db, ballot_id))


@post("/v/{ballot_id:int}", request_max_body_size=VOTE_FORM_MAX_BYTES)
async def submit_vote(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    ballot_id: IdParam,
) -> Template:
    ballot = await public_ballot(db, ballot_id)
    form_data = await request.form()
    form = {key: [str(v) for v in form_data.getall(key)] for key in form_data}
    credential = (form.get("credential") or [""])[0]
    answers = answers_from_form(ballot_spec(ballot), form)
    ip = client_ip(request, ctx.settings)
    try:
        async with code_attempt(ctx, ip, credential):
            receipt = await cast_ballot(
                db,
                ctx.secret_key,
                ballot_id,
                credential,
                answers,
                submission_id=(form.get("submission_id") or [""])[0][:100],
                signer=ctx.signer,
            )
    except DomainError as error:
        message = (
            localise(error.detail_msgid, error.params)
            if error.detail_msgid
            else gettext_(error.title)
        )
        ballot = await public_ballot(db, ballot_id)
        keep_code = "" if isinstance(error, UnknownCredential) else credential
        return await _vote_page(
            db,
            ballot,
            status_code=error.status,
            error=message,
            credential=keep_code,
            chosen=answers,
        )
    ballot_changed(request.app, ballot_id)
    check_path = f"/ballots/{ballot_id}/check?tracker={receipt.tracker}"
    return page(
        "receipt.html",
        ballot=ballot,
        receipt=receipt,
        check_path=check_path,
        check_qr=qr_svg(ctx.settings.base_url + check_path),
    )


router = Router(path="/", route_handlers=[vote_page, submit_vote], include_in_schema=False)
