"""The public sign-up-to-speak page: the queue without names, signing up (the place told, the
typing kept on a refusal, nothing saved), withdrawing one's own place from the same page, closed
once the meeting ends; the chair's console marks who signed up by phone; the matter's notice
links to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.models import Speaker
from ballots.notices.notices import create_notice, publish_notice
from tests.vote.api.test_speaker_signup_api import plan
from tests.vote.helpers import Client, World, csrf_of, page_login, zh


async def test_a_resident_signs_up_and_withdraws_on_the_page(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    meeting_id = await plan(client, chair_headers, world)
    url = f"/meetings/{meeting_id}/speakers"
    page = await client.get(url)
    assert page.status_code == 200
    assert "no-store" in page.headers["cache-control"]
    assert zh("Sign up to speak") in page.text and zh("Nobody is waiting to speak.") in page.text
    # no code: the reason beside the field, the typing kept, nothing saved
    refused = await client.post(
        url, data={"topic": "楼道堆物", "call_me": "老李", "credential": ""}
    )
    assert refused.status_code == 422 and 'id="credential-error"' in refused.text
    assert 'value="楼道堆物"' in refused.text and 'value="老李"' in refused.text
    mistyped = await client.post(url, data={"topic": "楼道堆物", "credential": "123"})
    assert mistyped.status_code == 422 and 'id="credential-error"' in mistyped.text
    code = world.credential(world.practical_id)
    no_topic = await client.post(url, data={"topic": " ", "credential": code})
    assert no_topic.status_code == 422 and 'id="topic-error"' in no_topic.text
    assert await world.db.count(Speaker) == 0

    signed = await client.post(
        url, data={"topic": "楼道堆物", "call_me": "老李", "credential": code}
    )
    assert signed.status_code == 200, signed.text
    assert zh("You are in the speakers' queue: place %(n)s.") % {"n": 1} in signed.text
    assert "楼道堆物" in signed.text and "老李" not in signed.text
    assert 'id="withdraw-mine"' in signed.text
    again = await client.post(url, data={"topic": "楼道堆物", "credential": code})
    assert zh("You are already in the speakers' queue: place %(n)s.") % {"n": 1} in again.text

    # the chair's console shows the name and that they signed up by phone
    assert (await page_login(client, "chair", world.info.totp_secret, ahead=1)).status_code in (
        302,
        303,
    )
    console = await client.get(f"/chair/meetings/{meeting_id}")
    assert console.status_code == 200
    assert "老李" in console.text and zh("Signed up by phone") in console.text
    assert f'href="/meetings/{meeting_id}/speakers"' in console.text

    withdrawn = await client.post(f"{url}/withdraw", data={"credential": code})
    assert withdrawn.status_code == 200
    assert zh("Your sign-up to speak is withdrawn.") in withdrawn.text
    assert zh("Nobody is waiting to speak.") in withdrawn.text
    nothing = await client.post(f"{url}/withdraw", data={"credential": code})
    assert nothing.status_code == 409 and 'id="withdraw_credential-error"' in nothing.text

    # once the meeting ends, the page says so and offers no form
    csrf = csrf_of(console.text)
    ended = await client.post(
        f"/chair/meetings/{meeting_id}/move", data={"csrf_token": csrf, "move": "end"}
    )
    assert ended.status_code in (200, 303), ended.text
    closed = await client.get(url)
    assert zh("This meeting is over; sign-up to speak is closed.") in closed.text
    assert 'id="sign-up"' not in closed.text
    late = await client.post(url, data={"topic": "晚了", "credential": code})
    assert late.status_code == 409
    assert await world.db.count(Speaker, Speaker.state == "waiting") == 0
    assert (await client.get("/meetings/999999/speakers")).status_code == 404


async def test_the_notice_links_to_it_while_sign_up_is_open(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    meeting_id = await plan(client, chair_headers, world)
    now = datetime.now(UTC)

    async def notice(session: AsyncSession) -> int:
        made = await create_notice(
            session,
            operator(),
            matter_id=world.matters[world.practical_id],
            title="2027年实事项目听证公示",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=7),
            collects="opinions",
        )
        await publish_notice(session, operator(), made.id, now=now - timedelta(days=1))
        await session.commit()
        return made.id

    notice_id = await world.db.run(notice)
    shown = await client.get(f"/notices/{notice_id}")
    assert f'href="/meetings/{meeting_id}/speakers"' in shown.text
