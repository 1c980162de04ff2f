"""Pages of opinions and proposals: residents' form and list (names only where chosen, the
reason when closed, refusals beside the field, nothing saved), the printable hearing report, and
the chair's console page (reply, decision, hiding, merge, cost, shortlist and the budget ballot
that opens in the editor)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.models import Opinion
from ballots.notices.proposals import NothingShortlisted
from tests.vote.api.test_opinions_api import make_notice
from tests.vote.helpers import Client, World, csrf_of, page_login, zh
from vote.pages.opinions import PER_PAGE


async def opinion_ids(world: World, notice_id: int) -> list[int]:
    """The ids of the opinions on ``notice_id`` (the demo has opinions on its own notices)."""

    async def work(session: AsyncSession) -> list[int]:
        mine = select(Opinion.id).where(Opinion.notice_id == notice_id)
        return list(await session.scalars(mine.order_by(Opinion.id)))

    found: list[int] = await world.db.run(work)
    return found


async def test_a_resident_sends_an_opinion_on_the_page(client: Client, world: World) -> None:
    notice_id = await make_notice(world)
    url = f"/notices/{notice_id}/opinions"
    page = await client.get(url)
    assert page.status_code == 200
    assert (
        zh("Send your opinion") in page.text
        and zh("Show my name publicly (only with a voting code)") in page.text
    )
    refused = await client.post(url, data={"text": "请保留绿地", "credential": ""})
    assert refused.status_code == 422
    assert (
        zh("This notice takes opinions only with the voting code from your invitation.")
        in refused.text
    )
    assert "请保留绿地" in refused.text  # the typing is kept
    mistyped = await client.post(url, data={"text": "请保留绿地", "credential": "123"})
    assert mistyped.status_code == 422 and 'id="credential-error"' in mistyped.text
    assert await opinion_ids(world, notice_id) == []
    code = world.credential(world.practical_id)
    sent = await client.post(url, data={"text": "请保留绿地", "credential": code})
    assert sent.status_code == 200, sent.text
    assert (
        zh("Thank you. Received as No. %(n)s; the residents' committee will reply here.") % {"n": 1}
        in sent.text
    )
    assert zh("A resident") in sent.text


async def test_a_closed_notice_says_so_and_saves_nothing(client: Client, world: World) -> None:
    notice_id = await make_notice(world, closed=True, anonymous=True)
    url = f"/notices/{notice_id}/opinions"
    page = await client.get(url)
    assert zh("The notice period has ended; opinions are no longer taken.") in page.text
    assert "<textarea" not in page.text
    late = await client.post(url, data={"text": "晚了"})
    assert late.status_code == 409
    assert await opinion_ids(world, notice_id) == []
    draft = await make_notice(world, publish=False)
    assert (await client.get(f"/notices/{draft}/opinions")).status_code == 404


async def test_the_chair_acts_and_the_public_sees_it(client: Client, world: World) -> None:
    notice_id = await make_notice(world, anonymous=True)
    url = f"/notices/{notice_id}/opinions"
    await client.post(url, data={"text": "施工噪音"})
    await client.post(url, data={"text": "骂人的话"})
    noise, abuse = await opinion_ids(world, notice_id)
    assert (await page_login(client, "chair", world.info.totp_secret)).status_code in (302, 303)
    console = await client.get(f"/chair/notices/{notice_id}/opinions")
    assert console.status_code == 200, console.text
    csrf = csrf_of(console.text)
    empty = await client.post(
        f"/chair/opinions/{noise}/adoption",
        data={"csrf_token": csrf, "adoption": "adopted", "reason": ""},
    )
    assert empty.status_code == 422 and f'id="reason-{noise}-error"' in empty.text
    for action, data in (
        ("reply", {"reply": "夜间不施工"}),
        ("adoption", {"adoption": "partly", "reason": "周末上午不施工"}),
    ):
        done = await client.post(
            f"/chair/opinions/{noise}/{action}", data={"csrf_token": csrf} | data
        )
        assert done.status_code == 200, done.text
    hidden = await client.post(
        f"/chair/opinions/{abuse}/hide", data={"csrf_token": csrf, "hide_reason": "辱骂"}
    )
    assert zh("Hidden from the public (%(n)s)") % {"n": 1} in hidden.text
    public = (await client.get(url)).text
    assert "夜间不施工" in public and zh("Partly adopted") in public and "骂人的话" not in public
    report = await client.get(f"/notices/{notice_id}/report")
    assert report.status_code == 200
    assert zh("Hearing report") in report.text and "周末上午不施工" in report.text


async def test_the_chair_turns_the_shortlist_into_a_ballot(client: Client, world: World) -> None:
    notice_id = await make_notice(world, collects="proposals", anonymous=True)
    url = f"/notices/{notice_id}/opinions"
    for title in ("楼道照明", "楼道灯", "车棚"):
        sent = await client.post(url, data={"title": title, "text": f"{title}需要改善"})
        assert sent.status_code == 200, sent.text
    light, lamp, sheds = await opinion_ids(world, notice_id)
    await page_login(client, "chair", world.info.totp_secret)
    csrf = csrf_of((await client.get(f"/chair/notices/{notice_id}/opinions")).text)
    generate = f"/chair/notices/{notice_id}/budget-ballot"
    refused = await client.post(generate, data={"csrf_token": csrf, "budget": "8"})
    assert refused.status_code == 409
    assert zh(NothingShortlisted.detail_template) in refused.text
    await client.post(
        f"/chair/opinions/{lamp}/merge", data={"csrf_token": csrf, "into": str(light)}
    )
    for proposal, wan in ((light, "2.5"), (sheds, "6")):
        await client.post(
            f"/chair/opinions/{proposal}/cost", data={"csrf_token": csrf, "cost": wan}
        )
        await client.post(
            f"/chair/opinions/{proposal}/shortlist", data={"csrf_token": csrf, "on": "1"}
        )
    bad = await client.post(
        f"/chair/opinions/{sheds}/cost", data={"csrf_token": csrf, "cost": "很多"}
    )
    assert bad.status_code == 422 and f'id="cost-{sheds}-error"' in bad.text
    public = (await client.get(url)).text
    assert zh("Merged into No. %(n)s") % {"n": 1} in public
    made = await client.post(
        generate, data={"csrf_token": csrf, "budget": "8"}, follow_redirects=False
    )
    assert made.status_code == 303, made.text
    assert made.headers["location"].startswith("/chair/ballots/")
    editor = await client.get(made.headers["location"])
    assert editor.status_code == 200 and "楼道照明" in editor.text and "车棚" in editor.text
    record = await client.get(f"/chair/matters/{world.matters[world.practical_id]}")
    assert zh("Practical-projects ballot made from residents' proposals") in record.text


async def test_the_ballot_page_links_to_its_matters_hearing_report(
    client: Client, world: World
) -> None:
    before = await client.get(f"/ballots/{world.practical_id}")
    assert before.status_code == 200 and "/report" not in before.text
    notice_id = await make_notice(world)
    page = await client.get(f"/ballots/{world.practical_id}")
    assert f'href="/notices/{notice_id}/report"' in page.text
    assert (
        f'href="/notices/{notice_id}/report"'
        not in (await client.get(f"/ballots/{world.firm_id}")).text
        or world.matters[world.firm_id] == world.matters[world.practical_id]
    )


async def test_a_long_list_comes_a_page_at_a_time(client: Client, world: World) -> None:
    notice_id = await make_notice(world, anonymous=True)

    async def work(session: AsyncSession) -> None:
        for index in range(PER_PAGE + 3):
            session.add(Opinion(notice_id=notice_id, kind="opinion", text=f"第{index + 1}条意见"))
        await session.commit()

    await world.db.run(work)
    first = await client.get(f"/notices/{notice_id}/opinions")
    assert "第1条意见" in first.text and f"第{PER_PAGE + 1}条意见" not in first.text
    assert f'href="/notices/{notice_id}/opinions?page=2"' in first.text
    second = await client.get(f"/notices/{notice_id}/opinions?page=2")
    assert f"第{PER_PAGE + 3}条意见" in second.text and "第1条意见<" not in second.text
    beyond = await client.get(f"/notices/{notice_id}/opinions?page=99")
    assert beyond.status_code == 200 and f"第{PER_PAGE + 3}条意见" in beyond.text
    assert (await client.get(f"/notices/{notice_id}/opinions?page=0")).status_code == 400
