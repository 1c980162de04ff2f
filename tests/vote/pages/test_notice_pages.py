"""Public notice pages: a draft is not public (page, sheet, documents, API); the period says
whether it is up, has not begun or is over; photos are shown inline, PDFs and text are
downloads, all with their stored type and nosniff; a withdrawn document is listed with its
time and no longer served."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.notices.documents import add_document, withdraw_document
from ballots.notices.notices import create_notice, publish_notice
from tests.ballots.factories import ADMIN
from tests.vote.helpers import Client, World, zh
from vote.settings import Settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NOW = datetime.now(UTC)


async def _notice(
    world: World, settings: Settings, starts_at: datetime, ends_at: datetime, publish: bool
) -> tuple[int, list[int]]:
    async def work(session: AsyncSession) -> tuple[int, list[int]]:
        notice = await create_notice(
            session,
            ADMIN,
            matter_id=world.matters[world.practical_id],
            title="社区花园改造项目公示",
            starts_at=starts_at,
            ends_at=ends_at,
            template="project",
        )
        ids = []
        for name, data in (("平面图.png", PNG), ("预算.txt", "预算 8 万元".encode())):
            document = await add_document(
                session, ADMIN, settings.data_dir, notice.id, name=name, data=data
            )
            ids.append(document.id)
        if publish:
            await publish_notice(session, ADMIN, notice.id)
        await session.commit()
        return notice.id, ids

    result: tuple[int, list[int]] = await world.db.run(work)
    return result


async def test_a_draft_is_not_public(client: Client, world: World, settings: Settings) -> None:
    notice_id, (image_id, _) = await _notice(
        world, settings, NOW - timedelta(days=1), NOW + timedelta(days=1), publish=False
    )
    for path in (
        f"/notices/{notice_id}",
        f"/notices/{notice_id}/print",
        f"/notices/{notice_id}/documents/{image_id}",
        f"/api/v1/notices/{notice_id}",
    ):
        assert (await client.get(path)).status_code == 404, path
    matter = await client.get(f"/matters/{world.matters[world.practical_id]}")
    assert f'href="/notices/{notice_id}"' not in matter.text


async def test_period_words_and_documents(client: Client, world: World, settings: Settings) -> None:
    over, (image_id, text_id) = await _notice(
        world, settings, NOW - timedelta(days=10), NOW - timedelta(days=1), publish=True
    )
    page = await client.get(f"/notices/{over}")
    assert page.status_code == 200
    assert zh("The notice period is over") in page.text
    assert "项目内容" in page.text and "监督方式" in page.text
    image = await client.get(f"/notices/{over}/documents/{image_id}")
    assert image.content == PNG
    assert image.headers["content-type"] == "image/png"
    assert image.headers["content-disposition"].startswith("inline")
    assert image.headers["x-content-type-options"] == "nosniff"
    text = await client.get(f"/notices/{over}/documents/{text_id}")
    assert text.headers["content-type"].startswith("text/plain")
    assert text.headers["content-disposition"].startswith("attachment")

    async def withdraw(session: AsyncSession) -> None:
        await withdraw_document(session, ADMIN, over, text_id)
        await session.commit()

    await world.db.run(withdraw)
    assert (await client.get(f"/notices/{over}/documents/{text_id}")).status_code == 404
    page = await client.get(f"/notices/{over}")
    assert "<s>预算.txt</s>" in page.text

    later, _ = await _notice(
        world, settings, NOW + timedelta(days=2), NOW + timedelta(days=9), publish=True
    )
    page = await client.get(f"/notices/{later}")
    assert zh("On notice from %(at)s").split("%")[0] in page.text


async def test_the_notice_reads_wholly_in_either_language(
    client: Client, world: World, settings: Settings
) -> None:
    from tests.vote.pages.test_rendered_languages import (
        CHINESE_IN_ENGLISH,
        CJK,
        LATIN_IN_CHINESE,
        LATIN_WORD,
        data_strings,
        page_text,
    )

    notice_id, _ = await _notice(
        world, settings, NOW - timedelta(days=1), NOW + timedelta(days=5), publish=True
    )
    data = [*await data_strings(world), "社区花园改造项目公示", "平面图.png", "预算.txt"]
    for path in (f"/notices/{notice_id}", f"/notices/{notice_id}/print"):
        english = (await client.get(f"{path}?lang=en")).text
        assert '<html lang="en">' in english
        left = [run for run in CJK.findall(page_text(english, "zh", data))]
        assert [run for run in left if run not in CHINESE_IN_ENGLISH] == [], path
        chinese = (await client.get(f"{path}?lang=zh-CN")).text
        words = LATIN_WORD.findall(page_text(chinese, "en", data))
        assert [word for word in words if word not in LATIN_IN_CHINESE] == [], path
