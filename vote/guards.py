"""Guards on anything guessable: voting codes and chair logins, aimed at attackers, not meetings.

Only failures count, and right answers never use up a limit (see :mod:`vote.ratelimit`):

- voting codes: a code whose check digit does not fit is a typo, refused at once and never
  counted; a well-formed code that is unknown counts against the address: 30 per 10 minutes
  (300 from a trusted network such as the committee office, ``VOTE_TRUSTED_NETWORKS``), with
  at most 256 checks under way at once from one address (2,560 trusted): a burst of wrong codes
  gets at most 285 checks a window, against 10**24 possible codes, while a hall of residents
  voting at once from one address is never refused;
- chair logins: 5 failures per user name and address per 15 minutes, one check at a time, so
  an attacker elsewhere cannot lock a chair out; 30 per address (300 from a trusted network);
  and a backstop of 100 per user name from all addresses together;
- residents' submissions with their voting code (opinions, sign-ups to speak): generous caps
  per minute and per hour on one notice or meeting from one address, counted only once saved,
  on top of the voting-code guess limit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from ballots.credentials import normalise_credential
from ballots.errors import N_, DomainError, TooManyFailedLogins, UnknownCredential
from vote.ratelimit import Attempt, Rule, begin_attempt
from vote.settings import Settings
from vote.web import AppContext, in_networks

CODE_WINDOW = 600
CODE_FAILURES_PER_ADDRESS = 30
CODE_CHECKS_UNDER_WAY_PER_ADDRESS = 256
LOGIN_WINDOW = 900
LOGIN_FAILURES_PER_USER_AND_ADDRESS = 5
LOGIN_FAILURES_PER_ADDRESS = 30
LOGIN_FAILURES_PER_USER = 100
TRUSTED_FACTOR = 10


class TooManyFailedCodes(DomainError):
    type = "too-many-failed-codes"
    status = 429
    title = N_("Too many wrong voting codes")
    detail_template = N_(
        "Too many wrong voting codes from your network. Try again in {seconds} seconds."
    )


def is_trusted_network(address: str, settings: Settings) -> bool:
    """True when ``address`` lies in one of the trusted networks (``VOTE_TRUSTED_NETWORKS``)."""
    return in_networks(address, settings.trusted_networks)


def per_address(limit: int, address: str, settings: Settings) -> int:
    """``limit``, or ten times it from a trusted network (one office, many residents)."""
    return limit * TRUSTED_FACTOR if is_trusted_network(address, settings) else limit


def code_rules(address: str, settings: Settings) -> list[Rule]:
    """The limits a voting-code check from ``address`` counts against."""
    return [
        Rule(
            key=f"code:{address}",
            limit=per_address(CODE_FAILURES_PER_ADDRESS, address, settings),
            window=CODE_WINDOW,
            in_flight=per_address(CODE_CHECKS_UNDER_WAY_PER_ADDRESS, address, settings),
        )
    ]


def login_rules(username: str, address: str, settings: Settings) -> list[Rule]:
    """The limits a login attempt for ``username`` from ``address`` counts against."""
    user = username.strip().lower()
    return [
        Rule(
            key=f"login:{user}:{address}",
            limit=LOGIN_FAILURES_PER_USER_AND_ADDRESS,
            window=LOGIN_WINDOW,
        ),
        Rule(
            key=f"login-ip:{address}",
            limit=per_address(LOGIN_FAILURES_PER_ADDRESS, address, settings),
            window=LOGIN_WINDOW,
            in_flight=per_address(4, address, settings),
        ),
        Rule(
            key=f"login-user:{user}",
            limit=LOGIN_FAILURES_PER_USER,
            window=LOGIN_WINDOW,
            in_flight=4,
        ),
    ]


@asynccontextmanager
async def guarded(attempt: Attempt, *wrong: type[BaseException]) -> AsyncIterator[None]:
    """Run the attempt's check; it counts as a failure only if it raised one of ``wrong``."""
    try:
        yield
    except wrong:
        await attempt.finish(failed=True)
        raise
    except BaseException:
        await attempt.finish(failed=False)
        raise
    await attempt.finish(failed=False)


@asynccontextmanager
async def code_attempt(ctx: AppContext, address: str, credential: str) -> AsyncIterator[None]:
    """Check a voting code under the address's limit; only an unknown well-formed code counts.

    A mistyped code (wrong length or check digit) is no guess: it passes through uncounted, for
    the service to refuse with "please check the digits".
    """
    if normalise_credential(credential) is None:
        yield
        return
    attempt = await begin_attempt(
        ctx.limiter,
        code_rules(address, ctx.settings),
        lambda seconds: TooManyFailedCodes(seconds=seconds),
    )
    async with guarded(attempt, UnknownCredential):
        yield


async def login_attempt(ctx: AppContext, username: str, address: str) -> Attempt:
    """Begin a login attempt, or raise :class:`TooManyFailedLogins`."""
    return await begin_attempt(
        ctx.limiter,
        login_rules(username, address, ctx.settings),
        lambda seconds: TooManyFailedLogins(seconds=seconds),
    )


SUBMISSIONS_UNDER_WAY = 32
"""At most this many residents' submissions under way at once from one address (ten times that
from a trusted network)."""


def submission_rules(
    key: str, address: str, settings: Settings, *, per_minute: int, per_hour: int
) -> list[Rule]:
    """The per-minute and per-hour caps on residents' submissions to one thing (``key``, say
    ``opinion:12``) from ``address``."""
    under_way = per_address(SUBMISSIONS_UNDER_WAY, address, settings)
    return [
        Rule(
            key=f"{key}:{address}:m",
            limit=per_address(per_minute, address, settings),
            window=60,
            in_flight=under_way,
        ),
        Rule(
            key=f"{key}:{address}:h",
            limit=per_address(per_hour, address, settings),
            window=3600,
            in_flight=under_way,
        ),
    ]


@asynccontextmanager
async def submission_attempt(
    ctx: AppContext,
    address: str,
    credential: str,
    rules: list[Rule],
    refusal: Callable[[int], DomainError],
) -> AsyncIterator[None]:
    """A resident's submission made with their voting code: under the address's caps
    (``refusal`` says how long to wait) and the code's guess limit. A submission counts
    against the caps only once it is saved."""
    attempt = await begin_attempt(ctx.limiter, rules, refusal)
    saved = False
    try:
        async with code_attempt(ctx, address, credential):
            yield
        saved = True
    finally:
        await attempt.finish(failed=saved)  # "failed" here means "counts against the cap"
