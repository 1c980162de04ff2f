"""The voting page for a ballot held at a meeting: "请先签到" until the resident is checked in
(with a link to check in), the form once they are, and "您已领取第 N 号纸质选票" once a paper
ballot was issued for their vote; a cast refused for either reason shows the same pages."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.models import Cast
from ballots.paper.issuing import issue_paper
from ballots.paper.printing import print_paper
from tests.vote.helpers import SECRET, Client, World
from tests.vote.meeting_world import add_meeting

ZH = {"accept-language": "zh-CN"}
ANSWER = {"q:q1": "a"}


async def test_check_in_first_then_vote(client: Client, world: World) -> None:
    site = await add_meeting(world)
    _, credential = site.resident()
    url = f"/v/{site.ballot_id}"
    page = await client.get(url, headers=ZH)
    assert 'data-state="needs-checkin"' in page.text  # shown by vote.js from the voter status
    for action in ("check", "review", "cast"):
        response = await client.post(
            url, data={"credential": credential, "action": action, **ANSWER}, headers=ZH
        )
        assert response.status_code == (
            200 if action == "check" else 409 if action == "review" else 403
        ), (action, response.status_code)
        assert "state-needs-checkin" in response.text and "请先签到" in response.text
        assert 'href="/m"' in response.text
    assert await world.casts(site.ballot_id) == 0
    status = await client.post(
        f"/api/v1/ballots/{site.ballot_id}/voter-status", json={"credential": credential}
    )
    assert status.json()["needs_checkin"] is True
    checked = await client.post(
        f"/api/v1/meetings/{site.meeting_id}/check-in",
        json={"venue_code": site.code(), "credential": credential},
    )
    assert checked.status_code == 201
    ready = await client.post(url, data={"credential": credential, "action": "check"}, headers=ZH)
    assert ready.status_code == 200
    assert 'id="vote-form"' in ready.text and "state-needs-checkin" not in ready.text
    cast = await client.post(
        url, data={"credential": credential, "action": "cast", **ANSWER}, headers=ZH
    )
    assert cast.status_code == 200, cast.text
    assert await world.casts(site.ballot_id) == 1


async def test_a_paper_ballot_issued_sends_the_resident_to_paper(
    client: Client, world: World
) -> None:
    site = await add_meeting(world, requires_checkin=False)
    resident_id, credential = site.resident()

    async def hand_out(session: AsyncSession) -> int:
        await print_paper(session, operator(), site.ballot_id, 5)
        await session.commit()
        issued = await issue_paper(
            session, operator(), SECRET, site.ballot_id, serial=3, resident_id=resident_id
        )
        await session.commit()
        return issued.serial

    assert await world.db.run(hand_out) == 3
    url = f"/v/{site.ballot_id}"
    checked = await client.post(url, data={"credential": credential, "action": "check"}, headers=ZH)
    assert checked.status_code == 200
    assert "您已领取第 3 号纸质选票，请填写纸质选票" in checked.text
    cast = await client.post(
        url, data={"credential": credential, "action": "cast", **ANSWER}, headers=ZH
    )
    assert cast.status_code == 409
    assert "您已领取第 3 号纸质选票" in cast.text
    assert await world.db.count(Cast, Cast.ballot_id == site.ballot_id) == 0
