"""Budget: greedy by votes with skipping, and the Method of Equal Shares with completion."""

from __future__ import annotations

from tally import Option, count
from tests.tally.rules.rule_helpers import records_of, spec_of

PROJECTS = [
    Option(id="roof", label="平改坡", cost=600),
    Option(id="fire", label="消防设备", cost=300),
    Option(id="water", label="老虎灶", cost=200),
    Option(id="bench", label="座椅", cost=100),
]


def budget(rule: dict[str, object] | None = None, limit: int = 1000) -> object:
    return spec_of("budget", PROJECTS, rule, budget_limit=limit, max_choices=4)


def test_greedy_funds_by_votes_and_skips_what_does_not_fit() -> None:
    records = records_of(
        (5, ["roof", "fire"]), (4, ["fire", "water"]), (3, ["water", "bench"]), (1, ["bench"])
    )
    # votes: fire 9, water 7, roof 5, bench 4. fire 300 -> water 200 (500) -> roof 600 no -> bench.
    question = count(budget(), records).questions[0]  # type: ignore[arg-type]
    assert question.rule == "greedy"
    assert question.winners == ["fire", "water", "bench"]
    assert question.spent == 600
    assert [r.elected for r in question.rounds] == [["fire"], ["water"], [], ["bench"]]
    assert question.rounds[2].note == "skipped: costs 600, 500 left"
    assert question.rounds[-1].remaining == 400


def test_unapproved_projects_are_never_funded() -> None:
    question = count(budget(), records_of((3, ["fire"]))).questions[0]  # type: ignore[arg-type]
    assert question.winners == ["fire"]


def test_equal_shares_rounds_and_completion() -> None:
    # 100 voters, limit 1000: each holds 10. With cost utilities the price per unit of utility
    # of a project whose supporters are all still rich is 1 / supporters.
    records = records_of(
        (30, ["roof", "bench"]), (30, ["roof"]), (25, ["fire", "water"]), (15, ["fire"])
    )
    plain = count(budget({"name": "mes", "completion": "none"}), records).questions[0]  # type: ignore[arg-type]
    assert plain.rule == "mes"
    # roof (1/60) takes all 60 supporters' money; fire (1/40) takes 7.5 from each of 40;
    # water's 25 supporters have 62.5 left of 200 and bench's 30 have nothing: stop.
    assert plain.winners == ["roof", "fire"]
    assert plain.rounds[0].tallies["roof"] == 1 / 60
    assert plain.rounds[0].tallies["bench"] == 1 / 30
    assert plain.rounds[1].tallies == {"fire": 1 / 40, "water": 1 / 25}
    assert plain.spent == 900
    completed = count(budget({"name": "mes"}), records).questions[0]  # type: ignore[arg-type]
    assert set(completed.winners) == {"roof", "fire", "bench"}
    assert completed.spent == 1000
    greedy_fill = count(budget({"name": "mes", "completion": "greedy"}), records).questions[0]  # type: ignore[arg-type]
    assert greedy_fill.winners == ["roof", "fire", "bench"]
    assert "completion" in greedy_fill.rounds[2].note or greedy_fill.rounds[2].elected == ["bench"]


def test_equal_shares_cardinality_utility_prefers_cheap_projects() -> None:
    records = records_of((10, ["roof", "bench", "water"]))
    question = count(
        budget({"name": "mes", "utility": "cardinality", "completion": "none"}), records
    )
    assert question.questions[0].winners[:2] == ["bench", "water"]


def test_weighted_equal_shares() -> None:
    records = records_of((1, ["roof"], 60.0), (4, ["fire", "water"], 10.0))
    question = count(
        spec_of(
            "budget",
            PROJECTS,
            {"name": "mes", "completion": "none"},
            budget_limit=1000,
            max_choices=4,
            weighting="area",
        ),
        records,
    ).questions[0]
    # Area 60 of 100 gives the roof voter 600 of 1000: exactly the roof. The others hold 400:
    # fire and water are equally priced per unit of utility (a drawn tie); after one, the
    # other is out of reach.
    assert question.winners[0] == "roof"
    assert len(question.winners) == 2
    assert question.tie_breaks[0].tied == ["fire", "water"]
