"""The venue code: valid for its own 30-second step and the next, never before or after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ballots.meetings.venue_code import code_accepted, current_code, new_secret

T0 = datetime(2026, 12, 2, 6, 0, 0, tzinfo=UTC)  # the start of a 30-second step


def test_the_code_changes_every_thirty_seconds_and_says_how_long_it_has() -> None:
    secret = new_secret()
    code, left = current_code(secret, T0)
    assert len(code) == 6 and code.isdigit()
    assert left == 30
    assert current_code(secret, T0 + timedelta(seconds=29)) == (code, 1)
    assert current_code(secret, T0 + timedelta(seconds=30))[0] != code


def test_a_code_is_accepted_within_its_step_and_the_next_only() -> None:
    secret = new_secret()
    code, _ = current_code(secret, T0)
    assert code_accepted(secret, code, T0)
    assert code_accepted(secret, code, T0 + timedelta(seconds=59))
    # a photo of the screen sent home stops working within a minute
    assert not code_accepted(secret, code, T0 + timedelta(seconds=60))
    # and a code is never accepted before it is shown
    assert not code_accepted(secret, current_code(secret, T0 + timedelta(seconds=30))[0], T0)


def test_typed_codes_may_have_spaces_and_full_width_digits_but_not_other_lengths() -> None:
    secret = new_secret()
    code, _ = current_code(secret, T0)
    full_width = "".join(chr(ord(ch) - ord("0") + ord("０")) for ch in code)
    assert code_accepted(secret, f"{code[:3]} {code[3:]}", T0)
    assert code_accepted(secret, full_width, T0)
    assert not code_accepted(secret, code[:5], T0)
    assert not code_accepted(secret, code + "0", T0)


def test_each_meeting_has_its_own_code() -> None:
    first, second = new_secret(), new_secret()
    assert first != second
    code, _ = current_code(first, T0)
    assert not code_accepted(second, code, T0) or current_code(second, T0)[0] == code
