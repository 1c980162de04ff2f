"""Console: a ballot's paper ballots (/chair/ballots/{id}/paper) — print more sheets (a PDF),
hand sheet number S to a voter found by name or by their typed code, the list of sheets handed
out, each chair's fast entry form (number, choices or 无效票, one sheet after another), the
comparison of the two entries in words, and 计入结果 (count them into the result)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots import lifecycle
from ballots.access import Actor, can, require
from ballots.errors import DomainError, InvalidAnswer
from ballots.matters import get_matter
from ballots.models import Ballot
from ballots.paper import counting, entry, issuing, printing, status
from ballots.paper.errors import (
    AlreadyHoldsPaper,
    AlreadyVotedByPhone,
    NotInElectorate,
    NotPresent,
    ProxyNotValid,
    SerialNotPrinted,
    SerialTaken,
)
from vote.api.params import IdParam, SearchParam
from vote.i18n import gettext_
from vote.pages.console.layout import Errors, Form, console_page, console_router, message_of
from vote.web import AppContext

SERIAL_MAX = printing.MAX_TOTAL


def _serial(text: str, errors: Errors, field: str = "serial") -> int | None:
    value = text.strip()
    if not value:
        errors[field] = gettext_("Type the number printed on the paper ballot.")
        return None
    if not value.isdigit() or not 1 <= int(value) <= SERIAL_MAX:
        errors[field] = gettext_("A paper ballot number is a whole number from 1 to %(max)s.") % {
            "max": SERIAL_MAX
        }
        return None
    return int(value)


async def _ballot(db: AsyncSession, actor: Actor, ballot_id: int, action: str) -> Ballot:
    ballot = await lifecycle.get_ballot(db, ballot_id)
    unit = await lifecycle.ballot_unit(db, ballot)
    require(actor, "manage_ballots" if action == "manage_ballots" else "read", unit.path)
    return ballot


async def _page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot: Ballot,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    voters: list[issuing.Voter] | None = None,
    query: str = "",
    printed_run: printing.PrintRun | None = None,
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Template:
    found = await status.paper_status(db, ballot)
    block = status.publish_block(found)
    spec = lifecycle.ballot_spec(ballot)
    mine = {
        sheet.serial: next(
            (view for view in sheet.entries if view.chair_id == actor.chair_id), None
        )
        for sheet in found.sheets
    }
    return console_page(
        request,
        ctx,
        actor,
        "console/paper.html",
        section="meetings" if ballot.meeting_id else "ballots",
        status_code=status_code,
        ballot=ballot,
        spec=spec,
        paper=found,
        block=None if block is None else gettext_(block[0]).format(**block[1]),
        mismatches=[status.mismatch_words(ballot, m, gettext_) for m in found.mismatches],
        issued=list(await issuing.issued_papers(db, ballot.id)),
        mine_left=[
            sheet.serial
            for sheet in found.sheets
            if mine.get(sheet.serial) is None and len(sheet.entries) < 2
        ],
        entered_by_me=sum(1 for view in mine.values() if view is not None),
        voters=voters,
        query=query,
        printed_run=printed_run,
        form=form or {},
        errors=errors or {},
        message=message,
        error=error,
        may_manage=can(actor, "manage_ballots"),
        is_chair=actor.chair_id is not None,
        entry_words=lambda view: status.entry_words(spec, view, gettext_),
    )


@get("/ballots/{ballot_id:int}/paper", name="console-paper")
async def paper_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
    q: SearchParam | None = None,
) -> Template:
    """The page; with ``?q=`` the voters whose name contains it, to hand a sheet to."""
    ballot = await _ballot(db, actor, ballot_id, "read")
    query = (q or "").strip()
    voters = list(await issuing.find_voters(db, ballot.id, query)) if query else None
    return await _page(request, db, ctx, actor, ballot, voters=voters, query=query)


@post("/ballots/{ballot_id:int}/paper/print")
async def print_more(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
) -> Template:
    ballot = await _ballot(db, actor, ballot_id, "manage_ballots")
    form = await request.form()
    text = str(form.get("count", "")).strip()
    errors: Errors = {}
    if not text.isdigit() or not 1 <= int(text) <= printing.MAX_AT_ONCE:
        errors["count"] = gettext_("Print between 1 and %(max)s paper ballots at a time.") % {
            "max": printing.MAX_AT_ONCE
        }
        return await _page(
            request,
            db,
            ctx,
            actor,
            ballot,
            form={"count": text[:10]},
            errors=errors,
            status_code=422,
        )
    try:
        run = await printing.print_paper(db, actor, ballot.id, int(text))
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        errors["count"] = message_of(refused)
        return await _page(
            request, db, ctx, actor, ballot, errors=errors, status_code=refused.status
        )
    ballot = await lifecycle.get_ballot(db, ballot_id)
    return await _page(
        request,
        db,
        ctx,
        actor,
        ballot,
        printed_run=run,
        message=gettext_("Paper ballots No. %(first)s to %(last)s are ready to print.")
        % {"first": run.first, "last": run.last},
    )


_ISSUE_FIELDS: dict[type[DomainError], str] = {
    SerialNotPrinted: "serial",
    SerialTaken: "serial",
    NotInElectorate: "voter",
    AlreadyVotedByPhone: "voter",
    AlreadyHoldsPaper: "voter",
    NotPresent: "voter",
    ProxyNotValid: "voter",
}


@post("/ballots/{ballot_id:int}/paper/issue")
async def issue(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
) -> Template:
    ballot = await _ballot(db, actor, ballot_id, "manage_ballots")
    form = await request.form()
    values: Form = {
        name: str(form.get(name, ""))[:100] for name in ("serial", "resident_id", "code", "q")
    }
    errors: Errors = {}
    serial = _serial(values["serial"], errors)
    resident = values["resident_id"].strip()
    resident_id = int(resident) if resident.isdigit() and len(resident) < 12 else None
    code = values["code"].strip()
    if resident_id is None and not code:
        errors["voter"] = gettext_("Choose the resident by name, or type their voting code.")
    if errors or serial is None:
        return await _page(
            request, db, ctx, actor, ballot, form=values, errors=errors, status_code=422
        )
    try:
        given = await issuing.issue_paper(
            db,
            actor,
            ctx.secret_key,
            ballot.id,
            serial=serial,
            resident_id=resident_id,
            credential="" if resident_id is not None else code,
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        field = _ISSUE_FIELDS.get(type(refused), "voter")
        errors[field] = message_of(refused)
        ballot = await lifecycle.get_ballot(db, ballot_id)
        return await _page(
            request,
            db,
            ctx,
            actor,
            ballot,
            form=values,
            errors=errors,
            status_code=refused.status,
        )
    ballot = await lifecycle.get_ballot(db, ballot_id)
    text = gettext_("Paper ballot No. %(serial)s is handed to %(name)s.") % {
        "serial": given.serial,
        "name": given.name,
    }
    if given.proxy_holder:
        text += " " + gettext_("(through their proxy holder %(holder)s)") % {
            "holder": given.proxy_holder
        }
    return await _page(request, db, ctx, actor, ballot, message=text)


def _answers(spec: tally.BallotSpec, form: Any) -> tally.Answers:
    """The choices ticked on the entry form: ``q-<question>`` values; for a ranked question the
    rank typed beside each option (``rank-<question>-<option>``), in rank order."""
    answers: tally.Answers = {}
    for question in spec.questions:
        if question.kind == "ranked":
            ranked = []
            for option in question.options:
                text = str(form.get(f"rank-{question.id}-{option.id}", "")).strip()
                if text.isdigit() and len(text) < 4:
                    ranked.append((int(text), option.id))
            answers[question.id] = [option_id for _, option_id in sorted(ranked)]
        else:
            answers[question.id] = [
                str(value)[:200] for value in form.getall(f"q-{question.id}", [])
            ]
    return {key: value for key, value in answers.items() if value}


@post("/ballots/{ballot_id:int}/paper/entries")
async def enter(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
) -> Template:
    ballot = await _ballot(db, actor, ballot_id, "manage_ballots")
    spec = lifecycle.ballot_spec(ballot)
    form = await request.form()
    values: Form = {"serial": str(form.get("serial", ""))[:10]}
    errors: Errors = {}
    serial = _serial(values["serial"], errors, "entry_serial")
    invalid = form.get("invalid") == "1"
    correct = form.get("correct") == "1"
    answers = {} if invalid else _answers(spec, form)
    if serial is None:
        return await _page(
            request, db, ctx, actor, ballot, form=values, errors=errors, status_code=422
        )
    try:
        done = await entry.enter_paper(
            db, actor, ballot.id, serial, answers=answers, invalid=invalid, correct=correct
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        errors["entry"] = message_of(refused)
        if not isinstance(refused, InvalidAnswer):
            errors["entry_serial"] = errors.pop("entry")
        ballot = await lifecycle.get_ballot(db, ballot_id)
        return await _page(
            request,
            db,
            ctx,
            actor,
            ballot,
            form=values,
            errors=errors,
            status_code=refused.status,
        )
    ballot = await lifecycle.get_ballot(db, ballot_id)
    view = status.EntryView(
        chair_id=actor.chair_id or 0,
        chair_name=actor.name,
        invalid=done.invalid,
        answers=done.answers,
    )
    said = status.entry_words(spec, view, gettext_)
    text = (
        gettext_("Your entry of No. %(serial)s is corrected: %(answers)s.")
        if correct
        else gettext_("No. %(serial)s entered: %(answers)s. Next one, please.")
    ) % {"serial": serial, "answers": said}
    return await _page(request, db, ctx, actor, ballot, message=text)


@post("/ballots/{ballot_id:int}/paper/count")
async def count(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
) -> Template:
    ballot = await _ballot(db, actor, ballot_id, "manage_ballots")
    try:
        counted = await counting.count_paper(db, actor, ctx.secret_key, ballot.id, ctx.signer)
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        ballot = await lifecycle.get_ballot(db, ballot_id)
        return await _page(
            request, db, ctx, actor, ballot, error=message_of(refused), status_code=refused.status
        )
    ballot = await lifecycle.get_ballot(db, ballot_id)
    return await _page(
        request,
        db,
        ctx,
        actor,
        ballot,
        message=gettext_(
            "The paper ballots are counted into the result: %(valid)s valid, %(invalid)s invalid."
        )
        % {"valid": counted.valid, "invalid": counted.invalid},
    )


@get("/ballots/{ballot_id:int}/paper/sheets.pdf", name="console-paper-sheets")
async def sheets(
    db: AsyncSession,
    actor: Actor,
    ballot_id: IdParam,
    first: Annotated[int, Parameter(ge=1, le=SERIAL_MAX)],
    last: Annotated[int, Parameter(ge=1, le=SERIAL_MAX)],
) -> Response[bytes]:
    """The printed sheets ``first``–``last`` (numbers already printed) as a PDF, two per A4."""
    from vote.printing.paper import render_paper_ballots  # reportlab only when printing

    ballot = await _ballot(db, actor, ballot_id, "manage_ballots")
    unit = await lifecycle.ballot_unit(db, ballot)
    last = min(last, ballot.paper_printed, first + printing.MAX_AT_ONCE - 1)
    if first > last:
        error = SerialNotPrinted(serial=first, printed=ballot.paper_printed)
        return Response(
            content=message_of(error).encode(), status_code=422, media_type="text/plain"
        )
    matter = await get_matter(db, ballot.matter_id)
    data = render_paper_ballots(
        lifecycle.ballot_spec(ballot), unit.name, matter.title, ballot.title, range(first, last + 1)
    )
    return Response(
        content=data,
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="paper-{ballot.id}-{first}-{last}.pdf"'
        },
    )


router = console_router([paper_page, print_more, issue, enter, count, sheets])
