"""Rate limits on the agency's public forms, aimed at floods and guessing, never at a building
sharing one Wi-Fi address.

- sending a demand: every demand sent counts, 30 per hour from one address (300 from a trusted
  network) and 120 per hour through one poster, so a household or a whole building can send
  all it needs while a script cannot fill an inbox;
- private links: only a wrong link counts, 30 per 10 minutes from one address; a right link
  never uses up the limit.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ballots.agency.errors import DemandLinkUnknown, TooManyDemands, TooManyWrongLinks
from vote.guards import guarded, per_address
from vote.ratelimit import Rule, begin_attempt
from vote.web import AppContext

DEMAND_WINDOW = 3600
DEMANDS_PER_ADDRESS = 30
DEMANDS_PER_POSTER = 120
LINK_WINDOW = 600
WRONG_LINKS_PER_ADDRESS = 30


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


@asynccontextmanager
async def demand_sending(ctx: AppContext, address: str, token: str) -> AsyncIterator[None]:
    """Send one demand under the address's and the poster's limits; a demand the service
    refused (bad input) does not count."""
    rules = [
        Rule(
            key=f"demand:{address}",
            limit=per_address(DEMANDS_PER_ADDRESS, address, ctx.settings),
            window=DEMAND_WINDOW,
            in_flight=16,
        ),
        Rule(
            key=f"demand-poster:{token[:32]}",
            limit=DEMANDS_PER_POSTER,
            window=DEMAND_WINDOW,
            in_flight=16,
        ),
    ]
    attempt = await begin_attempt(
        ctx.limiter, rules, lambda s: TooManyDemands(minutes=_minutes(s), seconds=s)
    )
    try:
        yield
    except BaseException:
        await attempt.finish(failed=False)
        raise
    await attempt.finish(failed=True)  # a demand sent counts towards the hour's limit


@asynccontextmanager
async def link_opening(ctx: AppContext, address: str) -> AsyncIterator[None]:
    """Open a private link under the address's limit; only a wrong link counts."""
    rules = [
        Rule(
            key=f"demand-link:{address}",
            limit=per_address(WRONG_LINKS_PER_ADDRESS, address, ctx.settings),
            window=LINK_WINDOW,
            in_flight=64,
        )
    ]
    attempt = await begin_attempt(
        ctx.limiter, rules, lambda s: TooManyWrongLinks(minutes=_minutes(s), seconds=s)
    )
    async with guarded(attempt, DemandLinkUnknown):
        yield
