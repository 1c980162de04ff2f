"""Receipt codes: the tracker as 26 digits and back, however typed; ``tally verify --receipt``
takes either form; the example in docs/bulletin-board.md is right."""

from __future__ import annotations

import base64
import re
import secrets
from pathlib import Path

import pytest

import tally
from tally.receipts import RECEIPT_CODE_DIGITS, ReceiptCodeError, damm_digit, tracker_and_code
from tests.tally.test_board import PROJECTS, Vote, answers_for, build, run, verify

DOCS = Path(__file__).resolve().parents[2] / "docs"
TRACKER = "k3xq-7hfa-2mvd-p7sa"
CODE = "0410 5334 1431 1241 8138 5171 26"


def new_tracker() -> str:
    """A tracker as the service makes them (ballots.casting.new_tracker)."""
    text = base64.b32encode(secrets.token_bytes(10)).decode().lower()
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def by_bits(tracker: str) -> str:
    """The receipt code's 25 leading digits computed another way: base32 letter by letter."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    bits = "".join(f"{alphabet.index(letter):05b}" for letter in tracker.replace("-", ""))
    return f"{int(bits, 2):025d}"


def test_the_damm_digit_matches_the_published_example() -> None:
    # Damm's algorithm as usually illustrated: 572 has the check digit 4, and 5724 checks to 0.
    assert damm_digit("572") == "4"
    assert damm_digit("5724") == "0"


def test_a_tracker_becomes_26_digits_in_groups_of_four_and_back() -> None:
    assert tally.receipt_code(TRACKER) == CODE
    for _ in range(200):
        tracker = new_tracker()
        code = tally.receipt_code(tracker)
        assert code is not None
        assert re.fullmatch(r"(\d{4} ){6}\d{2}", code), code
        digits = code.replace(" ", "")
        assert len(digits) == RECEIPT_CODE_DIGITS
        assert digits[:25] == by_bits(tracker)
        assert damm_digit(digits) == "0"
        assert tally.read_receipt(code) == tracker


@pytest.mark.parametrize("number", [0, 1, 2**80 - 1, *(secrets.randbits(80) for _ in range(50))])
def test_a_new_tracker_comes_with_the_code_of_the_tracker(number: int) -> None:
    tracker, code = tracker_and_code(number)
    assert tally.receipt_code(tracker) == code
    assert tally.read_receipt(code) == tracker
    assert int(code.replace(" ", "")[:25]) == number


@pytest.mark.parametrize("number", [-1, 2**80])
def test_a_tracker_is_an_80_bit_number(number: int) -> None:
    with pytest.raises(ValueError, match="80-bit"):
        tracker_and_code(number)


@pytest.mark.parametrize(
    ("tracker", "code"),
    [
        ("aaaa-aaaa-aaaa-aaaa", "0000 0000 0000 0000 0000 0000 00"),
        ("7777-7777-7777-7777", "1208 9258 1961 4629 1747 0617 50"),  # 2**80 - 1
    ],
)
def test_the_smallest_and_largest_trackers(tracker: str, code: str) -> None:
    assert tally.receipt_code(tracker) == code
    assert tally.read_receipt(code) == tracker


@pytest.mark.parametrize(
    "tracker", ["trk-001", "k3xq-7hfa-2mvd-p9sa", "K3XQ-7HFA-2MVD-P7SA", "k3xq7hfa2mvdp7sa", ""]
)
def test_trackers_of_another_shape_have_no_code(tracker: str) -> None:
    assert tally.receipt_code(tracker) is None


FULL_WIDTH = CODE.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"} | {32: 0x3000})


@pytest.mark.parametrize(
    "typed",
    [
        CODE,
        CODE.replace(" ", ""),
        CODE.replace(" ", "-"),
        CODE.replace(" ", " - "),
        f"  {CODE}\n",
        FULL_WIDTH,
        FULL_WIDTH.replace("\u3000", "－"),
        "04105334 1431-1241 81385171 26",
        f"回执查询码：{CODE}",
        TRACKER,
        TRACKER.upper(),
        TRACKER.replace("-", " "),
        TRACKER.replace("-", ""),
        "Ｋ３ＸＱ－７ＨＦＡ－２ＭＶＤ－Ｐ７ＳＡ",
    ],
)
def test_typed_forms_find_the_tracker(typed: str) -> None:
    assert tally.read_receipt(typed) == TRACKER


def test_every_single_mistyped_digit_and_neighbour_swap_is_caught() -> None:
    digits = CODE.replace(" ", "")
    for position in range(len(digits)):
        for other in "0123456789":
            if other != digits[position]:
                wrong = digits[:position] + other + digits[position + 1 :]
                with pytest.raises(ReceiptCodeError) as caught:
                    tally.read_receipt(wrong)
                assert caught.value.reason == "check", wrong
    for position in range(len(digits) - 1):
        a, b = digits[position], digits[position + 1]
        if a != b:
            wrong = digits[:position] + b + a + digits[position + 2 :]
            with pytest.raises(ReceiptCodeError) as caught:
                tally.read_receipt(wrong)
            assert caught.value.reason == "check", wrong


def test_26_digits_past_80_bits_are_refused_even_when_the_check_digit_fits() -> None:
    number = f"{2**80:025d}"
    with pytest.raises(ReceiptCodeError) as caught:
        tally.read_receipt(number + damm_digit(number))
    assert caught.value.reason == "check"


VOTING_CODE = "12345-67890-12345-67890-1234" + damm_digit("123456789012345678901234")


@pytest.mark.parametrize(
    ("typed", "reason", "digits"),
    [
        ("", "empty", 0),
        (" - ", "empty", 0),
        ("回执", "empty", 0),
        (CODE[:-1], "length", 25),  # the last digit left off; its check digit does not fit
        (CODE + "1", "length", 27),
        ("1234", "length", 4),
        (VOTING_CODE, "voting-code", 25),
        ("k3xq-7hfa-2mvd", "characters", 0),
        ("k3xq-7hfa-2mvd-p9sa", "characters", 0),  # 9 is no base32 letter
        (CODE[:10] + "abc", "characters", 0),
    ],
)
def test_what_is_wrong_with_typed_text(typed: str, reason: str, digits: int) -> None:
    if typed == CODE[:-1]:
        assert damm_digit(typed.replace(" ", "")) != "0"  # else it would read as a voting code
    with pytest.raises(ReceiptCodeError) as caught:
        tally.read_receipt(typed)
    assert (caught.value.reason, caught.value.digits) == (reason, digits)


def test_the_documented_example_is_right() -> None:
    text = (DOCS / "bulletin-board.md").read_text()
    assert f"`{TRACKER}`" in text and f"`{CODE}`" in text


def _board_with_real_trackers() -> tuple[bytes, list[str]]:
    trackers = [new_tracker() for _ in range(5)]
    votes = [
        Vote(tracker=tracker, answers=answers_for(i), unit=f"u{i}")
        for i, tracker in enumerate(trackers)
    ]
    return build(PROJECTS, votes).data, trackers


def test_verify_takes_the_receipt_code_as_typed() -> None:
    data, trackers = _board_with_real_trackers()
    code = tally.receipt_code(trackers[2])
    assert code is not None
    for typed in (code, code.replace(" ", "-"), trackers[2], trackers[2].upper()):
        report = verify(data, receipt=typed)
        assert report.ok, (typed, report.first_failure)
        assert report.receipt_index == 3  # after the manifest
        detail = report.check("receipt").detail
        assert f"tracker {trackers[2]!r} (receipt code {code})" in detail


def test_verify_fails_a_mistyped_or_unknown_receipt_code() -> None:
    data, trackers = _board_with_real_trackers()
    code = tally.receipt_code(trackers[0])
    assert code is not None
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    report = verify(data, receipt=wrong)
    assert report.first_failure is not None and report.first_failure.name == "receipt"
    other = tally.receipt_code(new_tracker())
    assert other is not None
    assert not verify(data, receipt=other).ok


def test_cli_verify_with_a_receipt_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, trackers = _board_with_real_trackers()
    board = tmp_path / "board.jsonl"
    board.write_bytes(data)
    code = tally.receipt_code(trackers[4])
    assert code is not None
    status, out, err = run(capsys, "verify", str(board), "--receipt", code)
    assert status == 0, out + err
    assert f"receipt code {code}" in out
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    status, _, err = run(capsys, "verify", str(board), "--receipt", wrong)
    assert status == 1 and "FAILED: receipt" in err
