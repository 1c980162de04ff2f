"""More ballots for the voting browser tests, added to a demo database through the real services.

Run as ``python -c "from tests.browser.voting_world import main; main()"`` with the service's
environment (``VOTE_DATA_DIR``, ``VOTE_BASE_URL``) after ``vote demo``; prints JSON: the
every-kind ballot (revoting allowed) with invitation links, and ballots closed, cancelled and
scheduled to open later.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import invitations, lifecycle, schedule
from ballots.access import operator
from ballots.db import create_engine, create_sessionmaker, dispose
from ballots.lifecycle import BallotDraft
from ballots.models import Elector
from tests.vote.helpers import YESNO_DRAFT
from tests.vote.pages.voting_helpers import EVERY_KIND
from vote.settings import Settings, signer

ODD_AMOUNTS: dict[str, Any] = {
    "title": "零星维修项目",
    "questions": [
        {
            "id": "repairs",
            "kind": "budget",
            "prompt": "请选择零星维修项目（预算5万元）",
            "budget_limit": 50_000,
            "options": [
                {"id": "r1", "label": "楼道灯", "cost": 12_500},
                {"id": "r2", "label": "信报箱", "cost": 33_333},
                {"id": "r3", "label": "扶手", "cost": 9_000},
            ],
        }
    ],
}
CANCEL_REASON = "评估公司资质公示有误，重新公示后再投票"
MATTER = 1  # the street's practical projects: everyone in the street is eligible
FIRM = 2  # the appraisal-firm selection, one vote per household


async def _seed(settings: Settings) -> dict[str, Any]:
    engine = create_engine(settings.database_url)
    op = operator("browser-test")
    key, sign = settings.secret_key(), signer(settings)
    found: dict[str, Any] = {}
    try:
        async with create_sessionmaker(engine)() as session:

            async def opened(draft: dict[str, Any]) -> tuple[int, list[str]]:
                made = await lifecycle.create_ballot(
                    session, op, MATTER, msgspec.convert(draft, BallotDraft)
                )
                await session.commit()
                await lifecycle.open_ballot(session, op, made.id, sign)
                issued = await invitations.issue_invitations(
                    session, op, key, settings.base_url, made.id
                )
                await session.commit()
                return made.id, [invitation.url for invitation in issued[:6]]

            found["every_kind"], found["every_kind_links"] = await opened(EVERY_KIND)
            found["odd"], found["odd_links"] = await opened(ODD_AMOUNTS)
            closed, _ = await opened({**YESNO_DRAFT, "title": "已结束的花园表决"})
            await lifecycle.close_ballot(session, op, closed, sign)
            await session.commit()
            cancelled, _ = await opened({**YESNO_DRAFT, "title": "已取消的花园表决"})
            await lifecycle.cancel_ballot(session, op, cancelled, sign, reason=CANCEL_REASON)
            await session.commit()
            later = await lifecycle.create_ballot(
                session, op, MATTER, msgspec.convert(YESNO_DRAFT, BallotDraft)
            )
            await session.commit()
            opens = datetime.now(UTC) + timedelta(days=3)
            await schedule.schedule_ballot(session, op, later.id, opens, opens + timedelta(days=7))
            await session.commit()
            found.update(closed=closed, cancelled=cancelled, scheduled=later.id)
            found["household"] = await _household_pair(session, key, settings.base_url)
    finally:
        await dispose(engine)
    return found


async def _household_pair(session: AsyncSession, key: bytes, base_url: str) -> list[str]:
    """New invitation links for two members of one household on the appraisal-firm ballot."""
    household = await session.scalar(
        select(Elector.count_key)
        .where(Elector.ballot_id == FIRM)
        .group_by(Elector.count_key)
        .having(func.count() >= 2)
        .order_by(Elector.count_key)
        .limit(1)
    )
    members = await session.scalars(
        select(Elector.resident_id)
        .where(Elector.ballot_id == FIRM, Elector.count_key == household)
        .order_by(Elector.resident_id)
        .limit(2)
    )
    links = []
    for resident_id in list(members.all()):
        invitation = await invitations.reissue_credential(
            session, operator("browser-test"), key, base_url, FIRM, resident_id
        )
        links.append(invitation.url)
    await session.commit()
    return links


def main() -> None:
    print(json.dumps(asyncio.run(_seed(Settings.from_env()))))
