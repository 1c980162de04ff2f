"""Helpers for the web and CLI tests: the seeded demo world, database peeks, logins, problems."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import pyotp
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import accounts, chairs, invitations
from ballots.access import operator
from ballots.db import create_engine, create_sessionmaker, dispose
from ballots.models import (
    AuditEntry,
    Ballot,
    Cast,
    Chair,
    Elector,
    Participation,
    Resident,
    Unit,
)
from vote.demo import DEMO_PASSWORD, DemoInfo, seed

SECRET_HEX = "11" * 32
SECRET = bytes.fromhex(SECRET_HEX)
BASE_URL = "http://testserver"
PROBLEM_JSON = "application/problem+json"
PRACTICAL_TITLE = "2027年实事项目投票"
FIRM_TITLE = "选定动迁评估公司"
LIFT_TITLE = "是否同意3号楼加装电梯方案"  # the hearing's in-person ballot
CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')

Client = AsyncTestClient[Litestar]


class Db:
    """Short-lived sessions on the test database, to look at what the app wrote."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def run(self, work: Any) -> Any:
        engine = create_engine(self.url)
        try:
            async with create_sessionmaker(engine)() as session:
                return await work(session)
        finally:
            await dispose(engine)

    async def count(self, model: Any, *where: Any) -> int:
        async def work(session: AsyncSession) -> int:
            query = select(func.count()).select_from(model)
            for condition in where:
                query = query.where(condition)
            return int(await session.scalar(query) or 0)

        return int(await self.run(work))

    async def snapshot(self) -> dict[str, int]:
        """Row counts of the tables a bad request must not touch."""
        return {
            "casts": await self.count(Cast),
            "participations": await self.count(Participation),
            "residents": await self.count(Resident),
            "ballots": await self.count(Ballot),
            "units": await self.count(Unit),
            "audit": await self.count(AuditEntry),
        }


@dataclass
class World:
    """The demo, seeded through the real services, and handles to its parts."""

    info: DemoInfo
    db: Db
    units: dict[str, int]
    practical_id: int
    firm_id: int
    published_id: int
    lift_id: int
    credentials: dict[int, list[str]] = field(default_factory=dict)
    matters: dict[int, int] = field(default_factory=dict)

    def credential(self, ballot_id: int, index: int = 0) -> str:
        return self.credentials[ballot_id][index]

    async def reissue(self, ballot_id: int, resident_id: int) -> str:
        """A fresh credential for one elector, as a chair would reissue a lost one."""

        async def work(session: AsyncSession) -> str:
            invitation = await invitations.reissue_credential(
                session, operator(), SECRET, BASE_URL, ballot_id, resident_id
            )
            await session.commit()
            return invitation.credential

        return str(await self.db.run(work))

    async def household_pair(self, ballot_id: int) -> tuple[str, str]:
        """Credentials for two members of one household on a one-vote-per-household ballot."""

        async def work(session: AsyncSession) -> list[int]:
            key = await session.scalar(
                select(Elector.count_key)
                .where(Elector.ballot_id == ballot_id)
                .group_by(Elector.count_key)
                .having(func.count() >= 2)
                .order_by(Elector.count_key)
                .limit(1)
            )
            assert key is not None, "the demo has no household with two eligible members"
            rows = await session.scalars(
                select(Elector.resident_id)
                .where(Elector.ballot_id == ballot_id, Elector.count_key == key)
                .order_by(Elector.resident_id)
                .limit(2)
            )
            return list(rows.all())

        first, second = await self.db.run(work)
        return await self.reissue(ballot_id, first), await self.reissue(ballot_id, second)

    async def casts(self, ballot_id: int) -> int:
        return await self.db.count(Cast, Cast.ballot_id == ballot_id)

    async def add_chair(
        self, username: str, role: str, unit_code: str, *, chose_password: bool = True
    ) -> str:
        """Create a chair through the service; return its TOTP secret.

        The operator adds the chair with a password of their choosing; unless
        ``chose_password`` is false, the chair then replaces it with ``DEMO_PASSWORD`` as they
        would at their first login, so that tests log in to a usable account.
        """
        return (
            await self.add_chair_with_codes(
                username, role, unit_code, chose_password=chose_password
            )
        ).totp_secret

    async def add_chair_with_codes(
        self, username: str, role: str, unit_code: str, *, chose_password: bool = True
    ) -> chairs.NewChair:
        """Like :meth:`add_chair`; return what the enrolment page shows (recovery codes too)."""

        async def work(session: AsyncSession) -> chairs.NewChair:
            created = await chairs.create_chair(
                session,
                operator(),
                SECRET,
                username=username,
                password=GIVEN_PASSWORD if chose_password else DEMO_PASSWORD,
                role=role,
                unit_id=self.units[unit_code],
            )
            await session.commit()
            if chose_password:
                await choose_own_password(session, created.chair_id, DEMO_PASSWORD)
            return created

        created: chairs.NewChair = await self.db.run(work)
        return created


GIVEN_PASSWORD = "given-by-the-operator"  # a test account's first password


async def choose_own_password(session: AsyncSession, chair_id: int, password: str) -> None:
    """Choose the chair's own password as the chair does at their first login (through the
    service, acting as the chair in a login session of theirs)."""
    chair = await session.get(Chair, chair_id)
    assert chair is not None
    actor = chairs.actor_for(chair, await session.get_one(Unit, chair.unit_id))
    await accounts.change_own_password(session, actor, new=password)
    await session.commit()


async def seed_demo(db: Db) -> DemoInfo:
    """Seed the demo through the real services (roster import, invitations, casting)."""

    async def run_seed(session: AsyncSession) -> DemoInfo:
        return await seed(session, SECRET, BASE_URL)

    info: DemoInfo = await db.run(run_seed)
    return info


async def build_world(db: Db, info: DemoInfo) -> World:
    """Handles to the demo seeded in ``db`` (``info`` is what seeding returned)."""

    async def lookups(session: AsyncSession) -> tuple[dict[str, int], dict[int, int]]:
        unit_ids = {code: id_ for code, id_ in await session.execute(select(Unit.code, Unit.id))}
        matter_of = {
            id_: matter
            for id_, matter in await session.execute(select(Ballot.id, Ballot.matter_id))
        }
        return unit_ids, matter_of

    unit_ids, matter_of = await db.run(lookups)
    credentials: dict[int, list[str]] = {}
    ballot_ids: dict[str, int] = {}
    for title, urls in info.invitation_urls.items():
        ballot_id = int(urls[0].split("/v/")[1].split("#")[0])
        ballot_ids[title] = ballot_id
        credentials[ballot_id] = [url.split("#", 1)[1] for url in urls]
    return World(
        info=info,
        db=db,
        units=unit_ids,
        practical_id=ballot_ids[PRACTICAL_TITLE],
        firm_id=ballot_ids[FIRM_TITLE],
        published_id=info.published_ballot_id,
        lift_id=ballot_ids[LIFT_TITLE],
        credentials=credentials,
        matters=matter_of,
    )


def totp_code(secret: str, *, ahead: int = 0) -> str:
    """A TOTP code for now, or ``ahead`` steps later (the server accepts one step of drift)."""
    return str(pyotp.TOTP(secret).at(time.time() + 30 * ahead))


async def login(
    client: Client, username: str, secret: str, *, password: str = DEMO_PASSWORD, ahead: int = 0
) -> str:
    """Log in through the API; return the session token."""
    response = await client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password, "totp": totp_code(secret, ahead=ahead)},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem of type ``/problems/<slug>``; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{slug}", body
    assert body["status"] == status
    assert body["title"]
    return body


YESNO_DRAFT: dict[str, Any] = {
    "title": "社区花园建设表决",
    "questions": [
        {
            "id": "garden",
            "kind": "yesno",
            "prompt": "是否在弄堂口建设社区花园？",
            "options": [
                {"id": "yes", "label": "yes"},
                {"id": "no", "label": "no"},
                {"id": "abstain", "label": "abstain"},
            ],
        }
    ],
}


async def create_draft(
    client: Client, headers: dict[str, str], matter_id: int, draft: dict[str, Any] | None = None
) -> int:
    """Create a draft ballot through the chair API; return its id."""
    response = await client.post(
        f"/api/v1/matters/{matter_id}/ballots", json=draft or YESNO_DRAFT, headers=headers
    )
    assert response.status_code == 201, response.text
    return int(response.json()["ballot"]["id"])


def zh(message: str) -> str:
    """``message`` in the default locale (zh-CN), as the pages should show it."""
    from vote.i18n import translations

    return str(translations("zh_CN").gettext(message))


async def page_login(client: Client, username: str, secret: str, *, ahead: int = 0) -> Any:
    """Log in through the chair's login form; the client keeps the session cookie."""
    form = await client.get("/chair/login")
    return await client.post(
        "/chair/login",
        data={
            "username": username,
            "password": DEMO_PASSWORD,
            "totp": totp_code(secret, ahead=ahead),
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )


def csrf_of(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "the page carries no csrf_token field"
    return found.group(1)
