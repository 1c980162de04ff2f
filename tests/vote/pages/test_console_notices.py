"""Console: public notices — drafting one (bad input named beside its field, typing kept, nothing
saved), its items (a draft replaced, after publication a new version and the change history),
documents (a PDF attached, markup refused beside the field, withdrawn kept), publishing and
withdrawing after a confirmation page; another unit's chair is refused throughout."""

from __future__ import annotations

import re

from ballots.models import AuditEntry, Notice, NoticeDocument, NoticeItem
from tests.vote.helpers import Client, World, csrf_of, page_login, zh

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NOTICE = {
    "title": "建国东路地块旧改动迁九公开",
    "body": "根据旧区改造计划，现将有关事项公示如下。",
    "template": "relocation",
    "starts_at": "2026-12-01T09:00",
    "ends_at": "2027-12-31 17:00",
    "collects": "opinions",
    "anonymous": "1",
}


async def logged_in(client: Client, world: World) -> str:
    response = await page_login(client, "chair", world.info.totp_secret)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/matters")).text)


async def draft_notice(client: Client, world: World, csrf: str) -> tuple[int, int]:
    """Draft the relocation notice through the form; return (matter id, notice id). On the
    evaluation's matter: the demo's practical and relocation matters have notices already."""
    matter_id = world.matters[world.published_id]
    matter_page = await client.get(f"/chair/matters/{matter_id}")
    assert f'href="/chair/matters/{matter_id}/notices/new"' in matter_page.text
    assert zh("No public notices on this matter yet.") in matter_page.text
    created = await client.post(
        f"/chair/matters/{matter_id}/notices/new", data={"csrf_token": csrf} | NOTICE
    )
    assert created.status_code == 200, created.text
    assert zh("The notice is drafted.") in created.text
    found = re.search(r'href="/chair/notices/(\d+)/publish"', created.text)
    assert found, created.text
    return matter_id, int(found.group(1))


async def test_bad_input_is_named_beside_its_field_and_kept(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    matter_id = world.matters[world.practical_id]
    before = await world.db.count(Notice)
    bad = NOTICE | {"title": " ", "starts_at": "2026-13-01 09:00", "ends_at": "2026-11-01 09:00"}
    response = await client.post(
        f"/chair/matters/{matter_id}/notices/new", data={"csrf_token": csrf} | bad
    )
    assert response.status_code == 422
    assert 'id="title-error"' in response.text and 'id="starts_at-error"' in response.text
    assert zh("Please fill this in.") in response.text
    assert "根据旧区改造计划" in response.text  # the typing is kept
    wrong_order = NOTICE | {"ends_at": "2026-11-30 09:00"}
    response = await client.post(
        f"/chair/matters/{matter_id}/notices/new", data={"csrf_token": csrf} | wrong_order
    )
    assert response.status_code == 422
    assert zh("The notice period must end after it starts.") in response.text
    assert 'id="ends_at-error"' in response.text
    assert await world.db.count(Notice) == before


async def test_items_documents_publish_change_withdraw(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    matter_id, notice_id = await draft_notice(client, world, csrf)
    page = await client.get(f"/chair/notices/{notice_id}")
    for label in ("动迁范围与户数", "补偿安置政策与标准", "投诉监督渠道"):
        assert label in page.text
    assert await client.get(f"/notices/{notice_id}") is not None
    assert (await client.get(f"/notices/{notice_id}")).status_code == 404  # a draft
    for text in ("每平方米 3 万元", "每平方米 3.2 万元"):
        saved = await client.post(
            f"/chair/notices/{notice_id}/items/compensation",
            data={"csrf_token": csrf, "item-compensation": text},
        )
        assert saved.status_code == 200 and zh("The item is saved.") in saved.text
    assert await world.db.count(NoticeItem, NoticeItem.notice_id == notice_id) == 1
    too_long = await client.post(
        f"/chair/notices/{notice_id}/items/scope",
        data={"csrf_token": csrf, "item-scope": "长" * 20_001},
    )
    assert too_long.status_code == 422 and 'id="item-scope-error"' in too_long.text
    no_such = await client.post(
        f"/chair/notices/{notice_id}/items/no-such",
        data={"csrf_token": csrf, "item-no-such": "x"},
    )
    assert no_such.status_code == 422
    assert zh("This notice has no such item.") in no_such.text

    uploaded = await client.post(
        f"/chair/notices/{notice_id}/documents",
        data={"csrf_token": csrf},
        files={"file": ("补偿方案.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 200, uploaded.text
    refused = await client.post(
        f"/chair/notices/{notice_id}/documents",
        data={"csrf_token": csrf},
        files={"file": ("x.pdf", b"<html><script>alert(1)</script>", "application/pdf")},
    )
    assert refused.status_code == 422 and 'id="file-error"' in refused.text
    assert await world.db.count(NoticeDocument) == 1

    confirm = await client.get(f"/chair/notices/{notice_id}/publish")
    assert zh("These items are still empty:") in confirm.text
    not_confirmed = await client.post(
        f"/chair/notices/{notice_id}/publish", data={"csrf_token": csrf}
    )
    assert zh("Publish the notice?") in not_confirmed.text
    assert (
        await world.db.count(Notice, Notice.id == notice_id, Notice.published_at.is_not(None)) == 0
    )
    published = await client.post(
        f"/chair/notices/{notice_id}/publish", data={"csrf_token": csrf, "confirm": "1"}
    )
    assert zh("The notice is published.") in published.text
    changed = await client.post(
        f"/chair/notices/{notice_id}/items/compensation",
        data={"csrf_token": csrf, "item-compensation": "每平方米 3.5 万元"},
    )
    assert zh("Earlier versions (%(n)s)") % {"n": 1} in changed.text
    assert zh("Disclosure item changed") in changed.text
    assert await world.db.count(NoticeItem, NoticeItem.notice_id == notice_id) == 2

    public = await client.get(f"/notices/{notice_id}")
    assert public.status_code == 200
    assert "每平方米 3.5 万元" in public.text and "每平方米 3.2 万元" in public.text
    assert zh("Change record") in public.text
    document = re.search(rf'href="/notices/{notice_id}/documents/(\d+)"', public.text)
    assert document
    download = await client.get(f"/notices/{notice_id}/documents/{document.group(1)}")
    assert download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment")
    matter_page = await client.get(f"/matters/{matter_id}")
    assert f'href="/notices/{notice_id}"' in matter_page.text
    printed = await client.get(f"/notices/{notice_id}/print")
    assert "<svg" in printed.text and "@page" in printed.text

    withdrawn_doc = await client.post(
        f"/chair/notices/{notice_id}/documents/{document.group(1)}/withdraw",
        data={"csrf_token": csrf},
    )
    assert withdrawn_doc.status_code == 200
    assert (
        await client.get(f"/notices/{notice_id}/documents/{document.group(1)}")
    ).status_code == 404
    assert zh("Withdrawn %(at)s").split("%")[0] in (await client.get(f"/notices/{notice_id}")).text
    withdrawn = await client.post(
        f"/chair/notices/{notice_id}/withdraw", data={"csrf_token": csrf, "confirm": "1"}
    )
    assert zh("The notice is withdrawn. It stays on record, marked withdrawn.") in withdrawn.text
    gone = await client.get(f"/notices/{notice_id}")
    assert gone.status_code == 200 and zh("Withdrawn on %(at)s").split("%")[0] in gone.text
    actions = {
        action
        for action in await world.db.run(
            lambda s: s.scalars(AuditEntry.__table__.select().with_only_columns(AuditEntry.action))
        )
    }
    assert {
        "notice.create",
        "notice.item_set",
        "notice.document_add",
        "notice.publish",
        "notice.document_withdraw",
        "notice.withdraw",
    } <= actions


async def test_another_units_chair_is_refused(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    _, notice_id = await draft_notice(client, world, csrf)
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    response = await page_login(client, "sinan_chair", secret)
    assert response.status_code in (302, 303), response.text
    other_csrf = csrf_of((await client.get("/chair/matters")).text)
    before = await world.db.snapshot()
    assert (await client.get(f"/chair/notices/{notice_id}")).status_code == 403
    for path, data in (
        (f"/chair/notices/{notice_id}/items/scope", {"item-scope": "x"}),
        (f"/chair/notices/{notice_id}/publish", {"confirm": "1"}),
        (f"/chair/notices/{notice_id}/edit", NOTICE),
    ):
        refused = await client.post(path, data={"csrf_token": other_csrf} | data)
        assert refused.status_code == 403, (path, refused.status_code)
    assert await world.db.snapshot() == before
