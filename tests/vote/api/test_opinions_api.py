"""The opinions API: residents send opinions and proposals (rate-limited, only while the notice
is up), the public list hides names and hidden ones, chairs act within their unit and generate
the budget ballot of the shortlist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.models import Ballot, Opinion
from ballots.notices.notices import create_notice, publish_notice
from tests.vote.helpers import Client, World, assert_problem
from vote.api import opinions as opinions_api


async def make_notice(
    world: World,
    *,
    collects: str = "opinions",
    anonymous: bool = False,
    closed: bool = False,
    publish: bool = True,
) -> int:
    now = datetime.now(UTC)
    starts = now - timedelta(days=10 if closed else 1)
    ends = now - timedelta(days=1) if closed else now + timedelta(days=7)

    async def work(session: AsyncSession) -> int:
        notice = await create_notice(
            session,
            operator(),
            matter_id=world.matters[world.practical_id],
            title="2027年实事项目征集",
            starts_at=starts,
            ends_at=ends,
            collects=collects,
            anonymous=anonymous,
        )
        if publish:
            await publish_notice(session, operator(), notice.id, now=starts)
        await session.commit()
        return notice.id

    return int(await world.db.run(work))


async def send(client: Client, notice_id: int, **body: Any) -> Any:
    return await client.post(f"/api/v1/notices/{notice_id}/opinions", json=body)


async def test_a_resident_sends_an_opinion_and_the_public_reads_it_without_a_name(
    client: Client, world: World
) -> None:
    notice_id = await make_notice(world)
    code = world.credential(world.practical_id)
    sent = await send(client, notice_id, text="希望增加绿化", credential=code)
    assert sent.status_code == 201, sent.text
    assert sent.json() == {"notice_id": notice_id, "number": 1}
    named = await send(
        client,
        notice_id,
        text="支持",
        credential=world.credential(world.practical_id, 1),
        show_name=True,
    )
    assert named.status_code == 201
    listed = (await client.get(f"/api/v1/notices/{notice_id}/opinions")).json()
    assert listed["open"] is True
    first, second = listed["opinions"]
    assert first["name"] == "" and first["text"] == "希望增加绿化"
    assert second["name"]  # the resident chose to show it


async def test_refusals_change_nothing(client: Client, world: World) -> None:
    code = world.credential(world.practical_id)
    closed = await make_notice(world, closed=True)
    assert_problem(await send(client, closed, text="晚了", credential=code), 409, "notice-not-up")
    draft = await make_notice(world, publish=False)
    assert_problem(await client.get(f"/api/v1/notices/{draft}/opinions"), 404, "not-found")
    notice_id = await make_notice(world)
    assert_problem(await send(client, notice_id, text="匿名"), 422, "code-required")
    assert_problem(
        await send(client, notice_id, text="x", credential="12345"), 422, "mistyped-credential"
    )
    assert_problem(
        await send(client, notice_id, text="x", credential="0" * 25), 403, "unknown-credential"
    )
    assert_problem(await send(client, notice_id, text=" ", credential=code), 422, "invalid-opinion")
    assert_problem(
        await send(client, notice_id, text="x", credential=code, extra=1), 400, "invalid-body"
    )
    assert await world.db.count(Opinion, Opinion.notice_id == notice_id) == 0


async def test_submissions_from_one_address_are_capped_per_notice(
    client: Client, world: World
) -> None:
    notice_id = await make_notice(world, anonymous=True)
    for index in range(opinions_api.SUBMISSIONS_PER_MINUTE):
        response = await send(client, notice_id, text=f"意见{index}")
        assert response.status_code == 201, response.text
    assert_problem(await send(client, notice_id, text="多一条"), 429, "too-many-opinions")
    # Another notice from the same room is not held back.
    other = await make_notice(world, anonymous=True)
    assert (await send(client, other, text="另一条")).status_code == 201


async def test_chairs_reply_decide_and_the_report_counts(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    notice_id = await make_notice(world, anonymous=True)
    await send(client, notice_id, text="噪音")
    await send(client, notice_id, text="骂人")
    everything = await client.get(
        f"/api/v1/notices/{notice_id}/opinions/all", headers=chair_headers
    )
    first, second = everything.json()["opinions"]
    group = await client.post(
        f"/api/v1/notices/{notice_id}/opinion-groups", json={"title": "施工"}, headers=chair_headers
    )
    assert group.status_code == 201
    grouped = await client.post(
        f"/api/v1/opinions/{first['id']}/group",
        json={"group_id": group.json()["id"]},
        headers=chair_headers,
    )
    assert grouped.json()["group"] == "施工"
    replied = await client.post(
        f"/api/v1/opinions/{first['id']}/reply", json={"reply": "夜间停工"}, headers=chair_headers
    )
    assert replied.json()["reply"] == "夜间停工"
    adopted = await client.post(
        f"/api/v1/opinions/{first['id']}/adoption",
        json={"adoption": "adopted", "reason": "写入方案"},
        headers=chair_headers,
    )
    assert adopted.json()["adoption"] == "adopted"
    assert_problem(
        await client.post(
            f"/api/v1/opinions/{first['id']}/adoption",
            json={"adoption": "maybe", "reason": "x"},
            headers=chair_headers,
        ),
        400,
        "invalid-body",
    )
    hidden = await client.post(
        f"/api/v1/opinions/{second['id']}/hide", json={"reason": "辱骂"}, headers=chair_headers
    )
    assert hidden.json()["hidden"] is True
    public = (await client.get(f"/api/v1/notices/{notice_id}/opinions")).json()
    assert [o["text"] for o in public["opinions"]] == ["噪音"]
    report = (await client.get(f"/api/v1/notices/{notice_id}/report")).json()
    shown = await client.post(f"/api/v1/opinions/{second['id']}/unhide", headers=chair_headers)
    assert shown.json()["hidden"] is False
    assert_problem(
        await client.post(f"/api/v1/opinions/{second['id']}/unhide", headers=chair_headers),
        422,
        "invalid-opinion-action",
    )
    assert report["totals"] == {"adopted": 1}
    assert report["groups"][0]["title"] == "施工"
    assert_problem(
        await client.post(f"/api/v1/opinions/{first['id']}/reply", json={"reply": "x"}),
        401,
        "not-authenticated",
    )


async def test_the_shortlist_becomes_a_draft_budget_ballot(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    notice_id = await make_notice(world, collects="proposals", anonymous=True)
    for title in ("楼道照明", "楼道灯", "车棚"):
        response = await send(client, notice_id, title=title, text=f"{title}需要改善")
        assert response.status_code == 201, response.text
    rows = (
        await client.get(f"/api/v1/notices/{notice_id}/opinions/all", headers=chair_headers)
    ).json()["opinions"]
    light, lamp, sheds = (row["id"] for row in rows)
    url = f"/api/v1/notices/{notice_id}/budget-ballot"
    assert_problem(
        await client.post(url, json={"budget_wan": "8"}, headers=chair_headers),
        409,
        "nothing-shortlisted",
    )
    merged = await client.post(
        f"/api/v1/opinions/{lamp}/merge", json={"into_id": light}, headers=chair_headers
    )
    assert merged.json()["merged_into"] == 1
    for proposal, wan in ((light, "2.5"), (sheds, "6")):
        await client.post(
            f"/api/v1/opinions/{proposal}/shortlist", json={"on": True}, headers=chair_headers
        )
        if proposal == light:
            assert_problem(
                await client.post(url, json={"budget_wan": "8"}, headers=chair_headers),
                409,
                "nothing-shortlisted",
            )
        costed = await client.post(
            f"/api/v1/opinions/{proposal}/cost", json={"cost_wan": wan}, headers=chair_headers
        )
        assert costed.status_code == 200, costed.text
    assert_problem(
        await client.post(
            f"/api/v1/opinions/{sheds}/cost", json={"cost_wan": "abc"}, headers=chair_headers
        ),
        422,
        "invalid-opinion-action",
    )
    before = await world.db.count(Ballot)
    made = await client.post(url, json={"budget_wan": "8"}, headers=chair_headers)
    assert made.status_code == 201, made.text
    ballot_id = made.json()["ballot_id"]
    assert made.json()["editor"] == f"/chair/ballots/{ballot_id}/edit"
    assert await world.db.count(Ballot) == before + 1
    managed = await client.get(f"/api/v1/ballots/{ballot_id}/manage", headers=chair_headers)
    assert managed.status_code == 200, managed.text
    body = managed.json()
    assert body["ballot"]["state"] == "draft"
    assert body["eligibility"] == {"min_age": 18}
    question = body["spec"]["questions"][0]
    assert question["budget_limit"] == 80_000
    assert [(o["label"], o["cost"]) for o in question["options"]] == [
        ("楼道照明", 25_000),
        ("车棚", 60_000),
    ]
