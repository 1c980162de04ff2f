"""Validity rules: quorum on every question kind, the absolute majority and its runoff, draws,
the chair's warnings, unchanged defaults, and the board's recount of all of it."""

from __future__ import annotations

import json
from fractions import Fraction

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tally
from tally import (
    BallotSpec,
    Electorate,
    Option,
    Question,
    QuestionResult,
    Record,
    SpecError,
    Validity,
    count,
)
from tally.ties import draw_key
from tests.tally.test_board import Vote, build, failed, verify

pref_profiles = pytest.importorskip("pref_voting.profiles")
pref_methods = pytest.importorskip("pref_voting.voting_methods")

RULES = [
    ("single", "plurality"),
    ("multiple", "approval"),
    ("yesno", "majority"),
    ("rating", "satisfaction"),
    ("ranked", "irv"),
    ("ranked", "schulze"),
    ("ranked", "borda"),
    ("budget", "greedy"),
    ("budget", "mes"),
]
ANSWERS: dict[str, list[str]] = {
    "single": ["a"],
    "multiple": ["a", "b"],
    "yesno": ["yes"],
    "rating": ["s"],
    "ranked": ["a", "b", "c"],
    "budget": ["a"],
}
DECIDED = {"elected", "passed", "reported"}


def question_of(
    kind: str, rule: str, validity: Validity | None = None, **extra: object
) -> Question:
    if kind == "yesno":
        options = [Option(id=o, label=o) for o in ("yes", "no", "abstain")]
    elif kind == "rating":
        options = [
            Option(id="s", label="满意", score=3),
            Option(id="b", label="基本满意", score=2),
            Option(id="u", label="不满意", score=1),
        ]
    elif kind == "budget":
        options = [Option(id=o, label=o.upper(), cost=40) for o in "abc"]
    else:
        options = [Option(id=o, label=o.upper()) for o in "abc"]
    return Question(
        id="q",
        kind=kind,  # type: ignore[arg-type]
        prompt="?",
        options=options,
        rule={"name": rule, **extra},
        budget_limit=100 if kind == "budget" else None,
        validity=validity,
    )


def spec_with(
    question: Question, validity: Validity | None = None, weighting: str = "none"
) -> BallotSpec:
    return BallotSpec(
        questions=[question],
        tie_seed="seed",
        validity=validity,
        weighting=weighting,  # type: ignore[arg-type]
    )


def single(validity: Validity | None = None, options: str = "abc", **rule: object) -> BallotSpec:
    question = Question(
        id="q",
        kind="single",
        prompt="?",
        options=[Option(id=o, label=o.upper()) for o in options],
        rule=dict(rule),
    )
    return BallotSpec(questions=[question], tie_seed="seed", validity=validity)


def votes(*groups: tuple[int, str]) -> list[Record]:
    """``(count, option)`` groups for question ``q``; option ``""`` is a blank ballot."""
    return [
        Record(answers={"q": [option]} if option else {"q": []})
        for number, option in groups
        for _ in range(number)
    ]


def one(spec: BallotSpec, records: list[Record], electorate: Electorate | None) -> QuestionResult:
    return count(spec, records, electorate).questions[0]


def codes(question: QuestionResult) -> list[str]:
    return [msgspec.to_builtins(warning)["code"] for warning in question.warnings]


# --- Quorum on every kind -----------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "rule"), RULES)
@pytest.mark.parametrize(("took_part", "met"), [(5, False), (6, True)])
def test_quorum_by_heads_on_every_kind(kind: str, rule: str, took_part: int, met: bool) -> None:
    spec = spec_with(question_of(kind, rule), Validity(quorum="simple"))
    records = [Record(answers={"q": ANSWERS[kind]}) for _ in range(took_part)]
    question = one(spec, records, Electorate(size=10))
    quorum = question.checks[0]
    assert (quorum.name, quorum.value, quorum.base, quorum.passed) == (
        "quorum-heads",
        took_part,
        10,
        met,
    )
    assert question.turnout is not None
    assert (question.turnout.heads, question.turnout.heads_rate) == (took_part, took_part / 10)
    if met:
        assert question.outcome in DECIDED
        assert "no-quorum" not in codes(question)
    else:
        assert question.outcome == "no-quorum"
        assert question.winners == []
        assert not any(option.elected for option in question.options)
        assert (
            question.message
            == f"no quorum: {took_part} of 10 took part (50%), more than 50% needed"
        )
        assert codes(question)[0] == "no-quorum"


@pytest.mark.parametrize(("kind", "rule"), RULES)
@pytest.mark.parametrize(("area", "met"), [(100.0, False), (200.0, True)])
def test_quorum_by_area_on_every_kind(kind: str, rule: str, area: float, met: bool) -> None:
    # Three of ten owners take part (few heads) holding 300 or 600 of 1000 m².
    spec = spec_with(question_of(kind, rule), Validity(quorum=0.5, quorum_by="area"), "area")
    records = [Record(answers={"q": ANSWERS[kind]}, weight=area) for _ in range(3)]
    question = one(spec, records, Electorate(size=10, area=1000.0))
    assert [check.name for check in question.checks][:1] == ["quorum-area"]
    assert question.checks[0].passed is met
    assert (question.outcome == "no-quorum") is not met
    assert question.turnout is not None and question.turnout.area_rate == 3 * area / 1000


# Hand-computed: (quorum, basis, heads taking part, area taking part, electorate heads/area, met)
QUORUM_TABLE = [
    ("simple", "heads", 5, 0.0, (10, 0.0), False),  # exactly half is not more than half
    ("simple", "heads", 6, 0.0, (10, 0.0), True),
    (0.5, "heads", 5, 0.0, (10, 0.0), True),  # a number means "at least"
    ("two_thirds", "heads", 6, 0.0, (10, 0.0), False),
    ("two_thirds", "heads", 20, 0.0, (30, 0.0), True),  # exactly 2/3, compared exactly
    (2 / 3, "heads", 20, 0.0, (30, 0.0), True),
    ("three_quarters", "heads", 14, 0.0, (20, 0.0), False),
    ("three_quarters", "heads", 15, 0.0, (20, 0.0), True),
    ("two_thirds", "area", 2, 666.66, (10, 1000.0), False),
    ("two_thirds", "area", 2, 666.67, (10, 1000.0), True),
    ("two_thirds", "both", 2, 700.0, (10, 1000.0), False),  # area met, heads not
    ("two_thirds", "both", 7, 700.0, (10, 1000.0), True),
]


@pytest.mark.parametrize(("quorum", "basis", "heads", "area", "voters", "met"), QUORUM_TABLE)
def test_quorum_arithmetic_table(
    quorum: float | str,
    basis: str,
    heads: int,
    area: float,
    voters: tuple[int, float],
    met: bool,
) -> None:
    validity = Validity(quorum=quorum, quorum_by=basis)  # type: ignore[arg-type]
    weighting = "none" if basis == "heads" else "area"
    spec = spec_with(question_of("single", "plurality"), validity, weighting)
    records = [Record(answers={"q": ["a"]}, weight=area / heads) for _ in range(heads)]
    question = one(spec, records, Electorate(size=voters[0], area=voters[1]))
    assert (question.outcome != "no-quorum") is met
    quorum_checks = [check for check in question.checks if check.name.startswith("quorum-")]
    assert len(quorum_checks) == (2 if basis == "both" else 1)


def test_blank_ballots_take_part() -> None:
    spec = single(Validity(quorum="simple"))
    question = one(spec, votes((3, "a"), (3, "")), Electorate(size=10))
    assert question.checks[0].passed
    assert question.outcome == "elected"


def test_dual_threshold_reports_art_278_as_its_validity() -> None:
    spec = BallotSpec(
        weighting="area",
        validity=Validity(quorum=0.1),  # the ballot's default does not apply to art. 278
        questions=[question_of("yesno", "dual_threshold")],
    )
    records = [Record(answers={"q": ["yes"]}, weight=100.0, unit=f"o{n}") for n in range(3)]
    question = one(spec, records, Electorate(size=6, area=600.0))
    assert question.validity == Validity(quorum="two_thirds", quorum_by="both")
    assert question.outcome == "no-quorum"
    assert [check.name for check in question.checks][:2] == [
        "participation-area",
        "participation-heads",
    ]
    assert codes(question)[:2] == ["no-quorum", "no-quorum"]
    assert question.turnout == tally.Turnout(
        heads=3,
        area=300.0,
        electorate_heads=6,
        electorate_area=600.0,
        heads_rate=0.5,
        area_rate=0.5,
    )


def test_dual_threshold_rejects_its_own_quorum() -> None:
    question = question_of("yesno", "dual_threshold", Validity(quorum=0.5))
    with pytest.raises(SpecError, match=r"questions\[0\]\.validity\.quorum: dual_threshold"):
        count(spec_with(question, weighting="area"), [], Electorate(size=6, area=600.0))


def test_yesno_quorum_is_set_in_one_place() -> None:
    question = question_of("yesno", "majority", Validity(quorum=0.5), quorum=0.5)
    with pytest.raises(SpecError, match="set the quorum in one place"):
        count(spec_with(question), [], Electorate(size=6))


def test_a_quorum_needs_the_electorate() -> None:
    with pytest.raises(SpecError, match="needs the electorate"):
        count(single(Validity(quorum=0.5)), votes((1, "a")))


def test_a_quorum_by_area_needs_area_weighting_and_area() -> None:
    with pytest.raises(SpecError, match=r"validity\.quorum_by: a quorum by area needs"):
        count(single(Validity(quorum=0.5, quorum_by="area")), votes((1, "a")), Electorate(size=3))
    spec = spec_with(
        question_of("single", "plurality"), Validity(quorum=0.5, quorum_by="area"), "area"
    )
    with pytest.raises(SpecError, match="electorate's area"):
        count(spec, votes((1, "a")), Electorate(size=3))


@pytest.mark.parametrize("quorum", [0, 1.5, "half", True])
def test_bad_quorum_values(quorum: object) -> None:
    spec = single(Validity(quorum=quorum))  # type: ignore[arg-type]
    with pytest.raises(SpecError, match=r"validity\.quorum"):
        count(spec, votes((1, "a")), Electorate(size=3))


def test_validity_decodes_from_json_and_rejects_unknown_fields() -> None:
    text = json.dumps(
        {
            "validity": {"quorum": "simple", "majority": "participants"},
            "questions": [
                {
                    "id": "q",
                    "kind": "single",
                    "prompt": "?",
                    "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
                }
            ],
        }
    )
    spec = tally.spec.decode_spec(text)
    assert spec.validity == Validity(quorum="simple", majority="participants")
    with pytest.raises(SpecError, match="quorom"):
        tally.spec.decode_spec(text.replace('"quorum"', '"quorom"'))


# --- The absolute majority and the runoff --------------------------------------------------------


def test_majority_met() -> None:
    question = one(single(Validity(majority="valid")), votes((5, "a"), (3, "b"), (1, "c")), None)
    assert (question.outcome, question.winners) == ("elected", ["a"])
    majority = question.checks[0]
    assert (majority.name, majority.value, majority.base, majority.passed) == (
        "absolute-majority",
        5,
        9,
        True,
    )


def test_runoff_between_the_top_two() -> None:
    question = one(single(Validity(majority="valid")), votes((4, "a"), (3, "b"), (2, "c")), None)
    assert (question.outcome, question.runoff, question.winners) == ("runoff", ["a", "b"], [])
    assert question.message == "no majority: runoff between A and B"
    warning = question.warnings[0]
    assert warning == tally.NoMajority(
        leader="a", share=4 / 9, required=0.5, base="valid", runoff=["a", "b"]
    )
    assert msgspec.to_builtins(warning)["code"] == "no-majority"


def test_runoff_takes_everyone_tied_for_second_without_a_draw() -> None:
    spec = single(Validity(majority="valid"), options="abcd")
    question = one(spec, votes((4, "a"), (2, "b"), (2, "c"), (1, "d")), None)
    assert (question.outcome, question.runoff) == ("runoff", ["a", "b", "c"])
    assert question.tie_breaks == [] and not question.drawn
    assert question.message == "no majority: runoff between A, B and C"


def test_three_way_tie_for_first_runs_off_all_three() -> None:
    question = one(single(Validity(majority="valid")), votes((3, "a"), (3, "b"), (3, "c")), None)
    assert question.runoff == ["a", "b", "c"]


def test_majority_of_participants_counts_blank_ballots() -> None:
    records = votes((5, "a"), (3, "b"), (3, ""))
    valid = one(single(Validity(majority="valid")), records, None)
    participants = one(single(Validity(majority="participants")), records, None)
    assert valid.outcome == "elected"
    assert (participants.outcome, participants.runoff) == ("runoff", ["a", "b"])
    assert participants.checks[0].base == 11


@pytest.mark.parametrize(("size", "outcome"), [(9, "elected"), (10, "runoff")])
def test_majority_of_the_electorate(size: int, outcome: str) -> None:
    spec = single(Validity(majority="electorate"))
    question = one(spec, votes((5, "a"), (3, "b")), Electorate(size=size))
    assert question.outcome == outcome


def test_no_majority_and_nobody_to_run_off_against_fails() -> None:
    question = one(single(Validity(majority="participants")), votes((2, "a"), (3, "")), None)
    assert (question.outcome, question.runoff, question.winners) == ("failed", [], [])
    assert codes(question) == ["no-majority"]


def test_the_rule_flag_equals_a_majority_of_valid_votes() -> None:
    records = votes((4, "a"), (3, "b"), (2, "c"))
    flag = one(single(majority=True), records, None)
    validity = one(single(Validity(majority="valid")), records, None)
    assert flag.validity is None and validity.validity == Validity(majority="valid")
    assert flag.params == {"winners": 1, "majority": True}
    same = msgspec.structs.replace(flag, validity=validity.validity, params=validity.params)
    assert same == validity
    with pytest.raises(SpecError, match="set the majority in one place"):
        count(single(Validity(majority="participants"), majority=True), records)


def test_majority_applies_to_single_choice_with_one_winner() -> None:
    own = question_of("multiple", "approval", Validity(majority="valid"))
    with pytest.raises(SpecError, match=r"questions\[0\]\.validity\.majority"):
        count(spec_with(own), [])
    two = question_of("single", "plurality", Validity(majority="valid"), winners=2)
    with pytest.raises(SpecError, match="exactly one winner"):
        count(spec_with(two), votes((1, "a")))
    # The ballot's default applies where it can and is left out elsewhere.
    ballot = BallotSpec(
        validity=Validity(majority="valid"),
        questions=[
            question_of("multiple", "approval"),
            msgspec.structs.replace(question_of("single", "plurality", winners=2), id="s2"),
            msgspec.structs.replace(question_of("single", "plurality"), id="s1"),
        ],
    )
    records = [
        Record(answers={"q": ["a"], "s2": ["a"], "s1": ["a"]}),
        Record(answers={"q": ["b"], "s2": ["b"], "s1": ["b"]}),
    ]
    first, second, third = count(ballot, records).questions
    assert first.validity is None and second.validity is None
    assert third.validity == Validity(majority="valid") and third.outcome == "runoff"


def test_a_question_validity_replaces_the_ballots() -> None:
    question = msgspec.structs.replace(
        question_of("single", "plurality"), validity=Validity(quorum=0.1)
    )
    spec = spec_with(question, Validity(quorum=0.9, majority="valid"))
    result = one(spec, votes((2, "a"), (1, "b")), Electorate(size=10))
    assert result.validity == Validity(quorum=0.1)
    assert (result.outcome, result.winners) == ("elected", ["a"])


def test_runoff_ballot_names_its_options_and_a_tie_there_is_drawn() -> None:
    first = one(single(Validity(majority="valid")), votes((4, "a"), (3, "b"), (2, "c")), None)
    runoff = BallotSpec(
        tie_seed="closing-root",
        questions=[
            Question(
                id="q",
                kind="single",
                prompt="Runoff",
                options=[Option(id=o, label=o.upper()) for o in first.runoff],
            )
        ],
    )
    question = one(runoff, votes((4, "a"), (4, "b")), Electorate(size=10))
    assert question.outcome == "elected" and question.drawn
    expected = sorted(
        ["a", "b"], key=lambda o: draw_key("closing-root", "q", question.tie_breaks[0].step, o)
    )
    assert question.winners == expected[:1]
    lot = [w for w in question.warnings if isinstance(w, tally.DecidedByLot)]
    assert lot == [
        tally.DecidedByLot(step="plurality order (score 4)", tied=["a", "b"], order=expected)
    ]


# --- Warnings ------------------------------------------------------------------------------------


def test_a_clear_result_has_no_warnings() -> None:
    question = one(
        single(Validity(quorum="simple")), votes((8, "a"), (1, "b")), Electorate(size=10)
    )
    assert question.warnings == []
    assert not question.drawn


@pytest.mark.parametrize(("took_part", "low"), [(4, True), (5, False)])
def test_low_turnout_without_a_quorum_rule(took_part: int, low: bool) -> None:
    question = one(single(), votes((took_part, "a")), Electorate(size=10))
    expected = tally.LowTurnout(
        basis="heads", took_part=took_part, electorate=10, turnout=took_part / 10, below=0.5
    )
    assert (expected in question.warnings) is low


def test_low_turnout_by_area() -> None:
    spec = spec_with(question_of("single", "plurality"), weighting="area")
    question = one(
        spec, [Record(answers={"q": ["a"]}, weight=300.0)] * 8, Electorate(size=10, area=5000.0)
    )
    assert [w.basis for w in question.warnings if isinstance(w, tally.LowTurnout)] == ["area"]


def test_no_electorate_no_turnout_warning() -> None:
    question = one(single(), votes((5, "a")), None)
    assert question.turnout == tally.Turnout(heads=5)
    assert question.warnings == []


def test_the_demo_case_two_of_39_decided_by_lot() -> None:
    question = one(single(), votes((1, "a"), (1, "b")), Electorate(size=39))
    assert question.outcome == "elected" and question.drawn
    assert codes(question) == ["low-turnout", "decided-by-lot", "close-margin"]
    guarded = one(
        single(Validity(quorum="simple", majority="valid")),
        votes((1, "a"), (1, "b")),
        Electorate(size=39),
    )
    assert guarded.outcome == "no-quorum"
    assert guarded.warnings == [
        tally.NoQuorum(basis="heads", took_part=2, electorate=39, turnout=2 / 39, required=0.5)
    ]


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [(6, 4, True), (52, 48, True), (60, 40, False), (10, 7, False)],
)
def test_close_margin_in_votes_or_points(a: int, b: int, close: bool) -> None:
    question = one(single(), votes((a, "a"), (b, "b")), None)
    margins = [w for w in question.warnings if isinstance(w, tally.CloseMargin)]
    assert bool(margins) is close
    if close:
        assert margins[0] == tally.CloseMargin(
            first="a", second="b", margin=a - b, margin_share=(a - b) / (a + b)
        )


def test_close_margin_by_area_counts_points_only() -> None:
    spec = spec_with(question_of("single", "plurality"), weighting="area")
    records = [Record(answers={"q": ["a"]}, weight=60.0), Record(answers={"q": ["b"]}, weight=58.0)]
    assert [
        w.margin for w in one(spec, records, None).warnings if isinstance(w, tally.CloseMargin)
    ] == [2.0]
    records = [Record(answers={"q": ["a"]}, weight=60.0), Record(answers={"q": ["b"]}, weight=40.0)]
    assert one(spec, records, None).warnings == []


def test_close_margin_of_instant_runoff_uses_the_last_round() -> None:
    spec = spec_with(question_of("ranked", "irv"))
    records = (
        [Record(answers={"q": ["a", "b"]})] * 4
        + [Record(answers={"q": ["b", "a"]})] * 3
        + [Record(answers={"q": ["c", "a"]})] * 2
    )
    question = one(spec, records, None)
    assert question.winners == ["a"]
    assert [
        (w.second, w.margin) for w in question.warnings if isinstance(w, tally.CloseMargin)
    ] == []
    records = records[:7] + [Record(answers={"q": ["c", "b"]})] * 2
    question = one(spec, records, None)
    assert question.winners == ["b"]
    assert [
        (w.first, w.second, w.margin) for w in question.warnings if isinstance(w, tally.CloseMargin)
    ] == [("b", "a", 1.0)]


def test_close_margin_of_schulze_and_borda() -> None:
    records = [Record(answers={"q": ["a", "b", "c"]})] * 5 + [
        Record(answers={"q": ["b", "a", "c"]})
    ] * 4
    schulze = one(spec_with(question_of("ranked", "schulze")), records, None)
    assert [
        (w.first, w.second, w.margin) for w in schulze.warnings if isinstance(w, tally.CloseMargin)
    ] == [("a", "b", 1.0)]
    # Borda: 14 against 13 points is 1 of the 18 points nine ballots can give (5.6%): not close.
    borda = one(spec_with(question_of("ranked", "borda")), records, None)
    assert not any(isinstance(w, tally.CloseMargin) for w in borda.warnings)
    records = [Record(answers={"q": ["a", "b", "c"]})] * 10 + [
        Record(answers={"q": ["b", "a", "c"]})
    ] * 9
    borda = one(spec_with(question_of("ranked", "borda")), records, None)
    assert [
        (w.margin, w.margin_share) for w in borda.warnings if isinstance(w, tally.CloseMargin)
    ] == [(1.0, 1 / 38)]


def test_close_to_threshold_for_yes_no_and_a_narrow_quorum() -> None:
    spec = spec_with(question_of("yesno", "majority"), Validity(quorum="simple"))
    records = [Record(answers={"q": ["yes"]})] * 11 + [Record(answers={"q": ["no"]})] * 9
    question = one(spec, records, Electorate(size=38))
    assert question.outcome == "passed"
    assert [
        (w.check, w.passed, w.margin)
        for w in question.warnings
        if isinstance(w, tally.CloseToThreshold)
    ] == [
        ("quorum-heads", True, 1.0),
        ("yes-of-valid", True, 1.0),
    ]


def test_rating_pass_rate_narrowly_failed() -> None:
    spec = spec_with(question_of("rating", "satisfaction", pass_rate=0.8))
    records = [Record(answers={"q": ["s"]})] * 16 + [Record(answers={"q": ["u"]})] * 4
    question = one(spec, records, None)
    assert question.outcome == "passed"
    records[0] = Record(answers={"q": ["u"]})
    question = one(spec, records, None)
    assert question.outcome == "failed"
    [warning] = question.warnings
    assert isinstance(warning, tally.CloseToThreshold)
    assert (warning.check, warning.passed, warning.margin) == ("satisfaction-rate", False, -1.0)


# --- Defaults change nothing ---------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "rule"), RULES)
def test_an_empty_validity_is_no_validity(kind: str, rule: str) -> None:
    records = [Record(answers={"q": ANSWERS[kind]})] * 3 + [Record(answers={"q": []})]
    plain = one(spec_with(question_of(kind, rule)), records, Electorate(size=4))
    empty = one(spec_with(question_of(kind, rule), Validity()), records, Electorate(size=4))
    assert plain == empty
    assert plain.validity is None
    assert not any(check.name.startswith("quorum") for check in plain.checks)


def test_a_spec_without_validity_encodes_as_before() -> None:
    spec = single()
    assert b"validity" not in msgspec.json.encode(spec)
    assert b"validity" in msgspec.json.encode(single(Validity(quorum=0.5)))


# --- The board: published with the new fields, recounted exactly ---------------------------------


APPRAISAL = BallotSpec(
    title="动迁评估公司选定",
    voting_unit="household",
    validity=Validity(quorum="simple", majority="valid"),
    questions=[
        Question(
            id="firm",
            kind="single",
            prompt="选定评估公司",
            options=[Option(id=o, label=o.upper()) for o in ("f1", "f2", "f3")],
        )
    ],
)


def firm_votes(*firms: str) -> list[Vote]:
    return [
        Vote(tracker=f"trk-{n:03d}", answers={"firm": [firm]}, unit=f"h{n}")
        for n, firm in enumerate(firms)
    ]


@pytest.mark.parametrize(
    ("firms", "size", "outcome"),
    [
        (("f1", "f2"), 39, "no-quorum"),
        (("f1", "f1", "f2", "f2", "f3"), 6, "runoff"),
        (("f1", "f1", "f1", "f2"), 6, "elected"),
    ],
)
def test_board_with_validity_rules_recounts(
    firms: tuple[str, ...], size: int, outcome: str
) -> None:
    built = build(APPRAISAL, firm_votes(*firms), electorate=Electorate(size=size))
    report = verify(built.data)
    assert report.ok, report.first_failure
    assert f"firm: {outcome}" in report.check("recount").detail
    published = json.loads(built.leaves[-1])
    question = published["result"]["questions"][0]
    assert question["outcome"] == outcome
    assert {"validity", "turnout", "drawn", "warnings"} <= set(question)
    assert published["result"]["format"] == "tally-result/2"


def test_board_result_with_warnings_removed_fails_the_recount() -> None:
    built = build(APPRAISAL, firm_votes("f1", "f2"), electorate=Electorate(size=39))
    event = json.loads(built.leaves[-1])
    event["result"]["questions"][0]["warnings"] = []
    forged = build(
        APPRAISAL,
        firm_votes("f1", "f2"),
        electorate=Electorate(size=39),
        result=json.dumps(event["result"]).encode(),
    )
    report = verify(forged.data)
    assert failed(report) == "recount"
    assert "warnings" in report.check("recount").detail


def test_board_result_claiming_a_winner_without_quorum_fails() -> None:
    built = build(APPRAISAL, firm_votes("f1", "f1"), electorate=Electorate(size=39))
    result = json.loads(built.leaves[-1])["result"]
    result["questions"][0]["outcome"] = "elected"
    result["questions"][0]["winners"] = ["f1"]
    forged = build(
        APPRAISAL,
        firm_votes("f1", "f1"),
        electorate=Electorate(size=39),
        result=json.dumps(result).encode(),
    )
    report = verify(forged.data)
    assert failed(report) == "recount"
    assert "outcome" in report.check("recount").detail


def test_a_result_published_in_the_earlier_format_still_recounts() -> None:
    spec = msgspec.structs.replace(APPRAISAL, validity=None)
    built = build(spec, firm_votes("f1", "f2", "f2"), electorate=Electorate(size=39))
    event = json.loads(built.leaves[-1])
    result = event["result"]
    for question in result["questions"]:
        for name in ("validity", "turnout", "drawn", "warnings"):
            del question[name]
    result["format"] = "tally-result/1"
    legacy = build(
        spec,
        firm_votes("f1", "f2", "f2"),
        electorate=Electorate(size=39),
        result=json.dumps(result).encode(),
    )
    assert verify(legacy.data).ok
    result["questions"][0]["winners"] = ["f1"]
    tampered = build(
        spec,
        firm_votes("f1", "f2", "f2"),
        electorate=Electorate(size=39),
        result=json.dumps(result).encode(),
    )
    assert failed(verify(tampered.data)) == "recount"


# --- Outside cross-check: the runoff against pref_voting's plurality with runoff -----------------


@st.composite
def rankings(draw: st.DrawFn) -> tuple[int, list[tuple[list[int], int]]]:
    m = draw(st.integers(3, 5))
    groups = draw(
        st.lists(
            st.tuples(st.permutations(list(range(m))), st.integers(1, 6)), min_size=1, max_size=8
        )
    )
    return m, [(list(ranking), voters) for ranking, voters in groups]


@settings(max_examples=150, deadline=None)
@given(rankings())
def test_majority_and_runoff_match_pref_voting(
    profile: tuple[int, list[tuple[list[int], int]]],
) -> None:
    m, groups = profile
    ids = [f"c{i}" for i in range(m)]
    first_round = BallotSpec(
        tie_seed="seed",
        validity=Validity(majority="valid"),
        questions=[
            Question(
                id="q", kind="single", prompt="?", options=[Option(id=i, label=i) for i in ids]
            )
        ],
    )
    records = [
        Record(answers={"q": [ids[ranking[0]]]})
        for ranking, voters in groups
        for _ in range(voters)
    ]
    question = one(first_round, records, None)
    theirs = pref_profiles.Profile([r for r, _ in groups], rcounts=[v for _, v in groups])
    scores = theirs.plurality_scores()
    total = sum(scores.values())
    has_majority = max(scores.values()) * 2 > total
    assert (question.outcome == "elected") is has_majority
    expected = {ids[c] for c in pref_methods.plurality_with_runoff_put(theirs)}
    if has_majority:
        assert set(question.winners) == expected
        return
    top = max(scores.values())
    second = sorted(scores.values(), reverse=True)[1]
    assert set(question.runoff) == {ids[c] for c, s in scores.items() if s >= second and s > 0}
    assert Fraction(top) * 2 <= total
    if len(question.runoff) != 2:
        return
    # The second round, counted by tally: each ballot goes to the runoff option it ranks higher.
    pair = question.runoff
    runoff = BallotSpec(
        tie_seed="seed",
        questions=[
            Question(
                id="q", kind="single", prompt="?", options=[Option(id=i, label=i) for i in pair]
            )
        ],
    )
    second_round = [
        Record(answers={"q": [next(ids[c] for c in ranking if ids[c] in pair)]})
        for ranking, voters in groups
        for _ in range(voters)
    ]
    decided = one(runoff, second_round, None)
    if decided.drawn:
        assert set(decided.winners) <= expected
    else:
        assert set(decided.winners) == expected
