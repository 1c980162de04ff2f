"""The start page's lists: ballots open now with their deadline and turnout so far, recent
results in words, and matters by unit, filtered by residential area, each list page by page."""

from __future__ import annotations

from itertools import groupby
from typing import Any
from urllib.parse import urlencode

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import listings, units
from ballots.errors import N_
from ballots.lifecycle import ballot_spec
from ballots.models import Ballot, Unit
from tally import Question
from vote.i18n import current_locale, gettext_
from vote.pages.console.matters import parse_id
from vote.pages.labels import option_name, outcome_label

# Each list's query parameter, and how many entries one page shows.
SECTIONS = {"open_page": 10, "results_page": 10, "matters_page": 20}
MAX_PAGE = 10_000_000


async def unit_options(db: AsyncSession) -> list[tuple[int, str]]:
    """Every unit for the area select, in tree order, indented by depth."""
    return [
        (unit.id, "\u2003" * (unit.path.count("/") - 2) + unit.name)
        for unit in await units.list_units(db)
    ]


def _join(names: list[str]) -> str:
    return ("、" if current_locale.get() == "zh_CN" else ", ").join(names)


def outcome_words(question: Question, found: dict[str, Any]) -> str:
    """What a question decided, in a few words: ``选定：甲公司``, ``满意率：83.3%``."""
    outcome = str(found.get("outcome", ""))
    rate = found.get("satisfaction_rate")
    if outcome == "reported" and isinstance(rate, int | float):
        return gettext_("Satisfaction rate: %(rate)s%%") % {"rate": round(rate * 100, 1)}
    words = outcome_label(outcome)
    winners = [option_name(str(option), question) for option in found.get("winners", [])]
    if outcome == "elected" and winners:
        words = gettext_(N_("%(outcome)s: %(names)s")) % {"outcome": words, "names": _join(winners)}
    return words


def result_lines(ballot: Ballot) -> list[str]:
    """One line per question of a published result: the question and what it decided."""
    if ballot.state != "published" or not ballot.result:
        return []
    result: dict[str, Any] = msgspec.json.decode(ballot.result)
    spec = ballot_spec(ballot)
    return [
        gettext_(N_("%(question)s — %(outcome)s"))
        % {"question": question.prompt, "outcome": outcome_words(question, found)}
        for question, found in zip(spec.questions, result.get("questions", []), strict=False)
    ]


def turnout_words(entry: listings.OpenBallot) -> str:
    """How many have voted so far, of how many, as counts and a share."""
    figures = {
        "voted": entry.voted,
        "eligible": entry.ballot.electorate_size or 0,
        "share": f"{entry.share:g}%",
    }
    if entry.ballot.voting_unit == "household":
        message = N_("So far %(voted)s of %(eligible)s households have voted (%(share)s).")
    else:
        message = N_("So far %(voted)s of %(eligible)s eligible residents have voted (%(share)s).")
    return gettext_(message) % figures


async def home_context(
    db: AsyncSession, unit: str, pages: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    """The start page's status code and context for the filter and page numbers as typed."""
    errors: dict[str, str] = {}
    chosen: Unit | None = None
    if unit:
        unit_id = parse_id(unit)
        chosen = await db.get(Unit, unit_id) if unit_id is not None else None
        if chosen is None:
            errors["unit"] = gettext_("Choose a residential area from the list.")
    unit_ids = await listings.concerned_units(db, chosen) if chosen else None
    numbers: dict[str, int] = {}
    for name in SECTIONS:
        typed = pages.get(name, "")
        number = parse_id(typed) if typed else 1
        if number is None or number > MAX_PAGE:
            errors[name] = gettext_("There is no such page.")
            number = 1
        numbers[name] = number
    found: dict[str, listings.Listing[Any]] = {
        "open_page": await listings.open_ballots(
            db, unit_ids, numbers["open_page"], SECTIONS["open_page"]
        ),
        "results_page": await listings.recent_results(
            db, unit_ids, numbers["results_page"], SECTIONS["results_page"]
        ),
        "matters_page": await listings.matters_by_unit(
            db, unit_ids, numbers["matters_page"], SECTIONS["matters_page"]
        ),
    }
    for name, listing in found.items():
        if listing.page > listing.pages:
            errors[name] = gettext_("There is no such page.")
    kept = {"unit": str(chosen.id)} if chosen else {}
    kept |= {name: str(number) for name, number in numbers.items() if number > 1}

    def link(section: str, number: int) -> str:
        query = {key: value for key, value in kept.items() if key != section}
        if number > 1:
            query[section] = str(number)
        anchor = section.removesuffix("_page")
        return "/" + ("?" + urlencode(query) if query else "") + "#" + anchor

    context: dict[str, Any] = {
        "units": await unit_options(db),
        "chosen": chosen,
        "form": {"unit": unit},
        "errors": errors,
        "open": found["open_page"],
        "results": found["results_page"],
        "matters": found["matters_page"],
        "matter_groups": [
            (unit_of, [entry.matter for entry in group])
            for unit_of, group in groupby(found["matters_page"].items, key=lambda e: e.unit)
        ],
        "link": link,
        "turnout_words": turnout_words,
        "result_lines": result_lines,
    }
    return (422 if errors else 200), context
