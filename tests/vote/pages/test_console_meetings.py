"""Console: meetings — planning one (bad input named beside its field, nothing saved), its page,
check-in moves, holding a draft ballot at it, speakers, minutes and attached files (a PDF comes
back as an attachment; markup is refused); another unit's chair is refused throughout."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.models import AuditEntry, Ballot, Meeting, MeetingFile, Speaker
from tests.vote.helpers import Client, World, create_draft, csrf_of, page_login, zh
from vote.settings import Settings

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PLAN = {
    "title": "2027年实事项目说明会",
    "kind": "hearing",
    "starts_at": "2026-12-05T18:00",
    "ends_at": "2026-12-05 20:00",
    "venue": "瑞金二路街道活动室",
    "agenda": "介绍方案\n\n居民发言\n现场表决",
    "proxy_limit": "2",
}


async def logged_in(client: Client, world: World, *, ahead: int = 0) -> str:
    """Log the demo chair in (``ahead=1`` when an API login took this 30 seconds' code)."""
    response = await page_login(client, "chair", world.info.totp_secret, ahead=ahead)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/meetings")).text)


async def plan_meeting(client: Client, world: World, csrf: str) -> tuple[int, int]:
    """Plan the demo's hearing through the form; return (matter id, meeting id)."""
    matter_id = world.matters[world.practical_id]
    created = await client.post(
        f"/chair/matters/{matter_id}/meetings/new", data={"csrf_token": csrf} | PLAN
    )
    assert created.status_code == 200, created.text
    assert zh("The meeting is planned.") in created.text
    found = re.search(r'action="/chair/meetings/(\d+)/move"', created.text)
    assert found, created.text
    return matter_id, int(found.group(1))


async def test_plan_a_meeting_and_move_it_through_check_in(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    matter_id, meeting_id = await plan_meeting(client, world, csrf)
    page = await client.get(f"/chair/meetings/{meeting_id}")
    assert "2026-12-05 18:00 " + zh("Beijing time") in page.text
    assert "<li>居民发言</li>" in page.text
    assert zh("Not started") in page.text
    for link in ("projector", "door", "proxies"):
        assert f'href="/chair/meetings/{meeting_id}/{link}"' in page.text
    listing = await client.get("/chair/meetings")
    assert "2027年实事项目说明会" in listing.text and "瑞金二路街道活动室" in listing.text
    matter_page = await client.get(f"/chair/matters/{matter_id}")
    assert f'href="/chair/meetings/{meeting_id}"' in matter_page.text
    assert zh("Meeting planned") in matter_page.text

    started = await client.post(
        f"/chair/meetings/{meeting_id}/move", data={"csrf_token": csrf, "move": "start_checkin"}
    )
    assert started.status_code == 200
    assert zh("Check-in open") in started.text
    again = await client.post(
        f"/chair/meetings/{meeting_id}/move", data={"csrf_token": csrf, "move": "start_checkin"}
    )
    assert again.status_code == 409
    assert zh("Check-in for this meeting is already open.") in again.text
    ended = await client.post(
        f"/chair/meetings/{meeting_id}/move", data={"csrf_token": csrf, "move": "end"}
    )
    assert ended.status_code == 200
    assert zh("The meeting has ended: no more check-ins.") in ended.text
    assert await world.db.count(Meeting, Meeting.id == meeting_id, Meeting.state == "ended") == 1
    opened = (
        AuditEntry.action == "meeting.checkin_opened",
        AuditEntry.target == f"meeting:{meeting_id}",
    )
    assert await world.db.count(AuditEntry, *opened) == 1


async def test_bad_plan_is_named_beside_each_field_and_saves_nothing(
    client: Client, world: World
) -> None:
    csrf = await logged_in(client, world)
    matter_id = world.matters[world.practical_id]
    before = await world.db.snapshot()
    meetings_before = await world.db.count(Meeting)
    bad = await client.post(
        f"/chair/matters/{matter_id}/meetings/new",
        data={
            "csrf_token": csrf,
            "title": "",
            "kind": "party",
            "starts_at": "明天晚上",
            "ends_at": "",
            "venue": "活动室",
            "agenda": "第一项",
            "proxy_limit": "11",
        },
    )
    assert bad.status_code == 422
    assert zh("Please fill this in.") in bad.text
    assert zh("Choose a kind from the list.") in bad.text
    assert zh("Write a date and time like 2026-12-05 18:00.") in bad.text
    assert zh("A whole number from 0 to %(n)s, please.") % {"n": 10} in bad.text
    assert 'id="title-error"' in bad.text and 'aria-invalid="true"' in bad.text
    assert 'value="活动室"' in bad.text and ">第一项</textarea>" in bad.text
    backwards = await client.post(
        f"/chair/matters/{matter_id}/meetings/new",
        data={"csrf_token": csrf} | PLAN | {"ends_at": "2026-12-05 17:00"},
    )
    assert backwards.status_code == 422
    assert 'id="ends_at-error"' in backwards.text
    assert zh("The meeting must end after it starts.") in backwards.text
    assert await world.db.count(Meeting) == meetings_before
    assert await world.db.snapshot() == before


async def test_edit_the_plan(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    _, meeting_id = await plan_meeting(client, world, csrf)
    form = await client.get(f"/chair/meetings/{meeting_id}/edit")
    assert 'value="2026-12-05T18:00"' in form.text
    saved = await client.post(
        f"/chair/meetings/{meeting_id}/edit",
        data={"csrf_token": csrf} | PLAN | {"venue": "思南公馆会议室", "proxy_limit": "0"},
    )
    assert saved.status_code == 200
    assert "思南公馆会议室" in saved.text
    assert await world.db.count(Meeting, Meeting.id == meeting_id, Meeting.proxy_limit == 0) == 1


async def test_hold_a_draft_ballot_speakers_and_minutes(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    csrf = await logged_in(client, world, ahead=1)
    matter_id, meeting_id = await plan_meeting(client, world, csrf)
    ballot_id = await create_draft(client, chair_headers, matter_id)
    refused = await client.post(
        f"/chair/meetings/{meeting_id}/ballots",
        data={"csrf_token": csrf, "ballot": str(world.practical_id)},
    )
    assert refused.status_code == 422
    assert zh("Choose a draft ballot from the list.") in refused.text
    held = await client.post(
        f"/chair/meetings/{meeting_id}/ballots",
        data={"csrf_token": csrf, "ballot": str(ballot_id), "requires_checkin": "on"},
    )
    assert held.status_code == 200, held.text
    assert zh("Only residents checked in at the meeting may vote.") in held.text
    assert f'href="/chair/ballots/{ballot_id}/paper"' in held.text
    assert (
        await world.db.count(
            Ballot, Ballot.meeting_id == meeting_id, Ballot.requires_checkin.is_(True)
        )
        == 1
    )

    empty = await client.post(
        f"/chair/meetings/{meeting_id}/speakers",
        data={"csrf_token": csrf, "speaker_name": " ", "speaker_topic": "电梯费用"},
    )
    assert empty.status_code == 422
    assert 'id="speaker_name-error"' in empty.text and 'value="电梯费用"' in empty.text
    added = await client.post(
        f"/chair/meetings/{meeting_id}/speakers",
        data={"csrf_token": csrf, "speaker_name": "王阿姨", "speaker_topic": "电梯费用"},
    )
    assert added.status_code == 200
    speaker_id = int(
        re.search(rf"/chair/meetings/{meeting_id}/speakers/(\d+)", added.text).group(1)  # type: ignore[union-attr]
    )
    spoken = await client.post(
        f"/chair/meetings/{meeting_id}/speakers/{speaker_id}",
        data={"csrf_token": csrf, "state": "spoken"},
    )
    assert spoken.status_code == 200
    assert await world.db.count(Speaker, Speaker.id == speaker_id, Speaker.state == "spoken") == 1

    minutes = await client.post(
        f"/chair/meetings/{meeting_id}/minutes",
        data={"csrf_token": csrf, "minutes": "到会 35 人。\n方案获多数支持。"},
    )
    assert minutes.status_code == 200
    assert zh("The minutes are saved.") in minutes.text
    assert (
        await world.db.count(
            Meeting, Meeting.id == meeting_id, Meeting.minutes.startswith("到会 35 人")
        )
        == 1
    )


async def test_upload_a_pdf_download_it_and_refuse_markup(
    client: Client, world: World, settings: Settings
) -> None:
    csrf = await logged_in(client, world)
    _, meeting_id = await plan_meeting(client, world, csrf)
    uploaded = await client.post(
        f"/chair/meetings/{meeting_id}/files",
        data={"csrf_token": csrf},
        files={"file": ("会议纪要 第1版.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert "会议纪要 第1版.pdf" in uploaded.text
    found = re.search(rf"/chair/meetings/{meeting_id}/files/(\d+)\"", uploaded.text)
    assert found
    file_id = int(found.group(1))
    download = await client.get(f"/chair/meetings/{meeting_id}/files/{file_id}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81%20%E7%AC%AC1%E7%89%88.pdf" in (
        disposition
    )

    stored = list((settings.data_dir / "uploads").iterdir())
    audit_before = await world.db.count(AuditEntry)
    html = await client.post(
        f"/chair/meetings/{meeting_id}/files",
        data={"csrf_token": csrf},
        files={
            "file": ("minutes.pdf", b"<!DOCTYPE html><script>alert(1)</script>", "application/pdf")
        },
    )
    assert html.status_code == 422
    assert 'id="file-error"' in html.text
    assert (
        zh("Only PDF files, photos (JPG, PNG or WebP) or plain text can be uploaded.") in html.text
    )
    assert await world.db.count(MeetingFile) == 1
    assert await world.db.count(AuditEntry) == audit_before
    assert list((settings.data_dir / "uploads").iterdir()) == stored

    removed = await client.post(
        f"/chair/meetings/{meeting_id}/files/{file_id}/delete", data={"csrf_token": csrf}
    )
    assert removed.status_code == 200
    assert await world.db.count(MeetingFile) == 0
    assert not (settings.data_dir / "uploads" / stored[0].name).exists()
    gone = await client.get(f"/chair/meetings/{meeting_id}/files/{file_id}")
    assert gone.status_code == 404


async def test_another_units_chair_is_refused(
    client: Client, world: World, settings: Settings
) -> None:
    csrf = await logged_in(client, world)
    matter_id, meeting_id = await plan_meeting(client, world, csrf)
    uploaded = await client.post(
        f"/chair/meetings/{meeting_id}/files",
        data={"csrf_token": csrf},
        files={"file": ("notice.pdf", PDF, "application/pdf")},
    )
    file_id = int(re.search(rf"/chair/meetings/{meeting_id}/files/(\d+)\"", uploaded.text).group(1))  # type: ignore[union-attr]
    await client.post("/chair/logout", data={"csrf_token": csrf})

    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    response = await page_login(client, "sinan_chair", secret)
    assert response.status_code in (302, 303), response.text
    other_csrf = csrf_of((await client.get("/chair/meetings")).text)
    listing = await client.get("/chair/meetings")
    assert "2027年实事项目说明会" not in listing.text
    before = await world.db.snapshot()
    outside = zh("You may only act within your own unit and the units under it.")
    for path in (f"/chair/meetings/{meeting_id}", f"/chair/meetings/{meeting_id}/files/{file_id}"):
        refused = await client.get(path)
        assert refused.status_code == 403, path
        assert outside in refused.text
    for path, data in (
        (f"/chair/meetings/{meeting_id}/move", {"move": "start_checkin"}),
        (f"/chair/meetings/{meeting_id}/minutes", {"minutes": "x"}),
        (f"/chair/meetings/{meeting_id}/speakers", {"speaker_name": "x"}),
        (f"/chair/meetings/{meeting_id}/edit", PLAN),
        (f"/chair/matters/{matter_id}/meetings/new", PLAN),
    ):
        refused = await client.post(path, data={"csrf_token": other_csrf} | data)
        assert refused.status_code == 403, path
    assert await world.db.snapshot() == before
    assert await world.db.count(Meeting, Meeting.id == meeting_id, Meeting.state == "planned") == 1


async def test_empty_oversized_and_text_uploads(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    _, meeting_id = await plan_meeting(client, world, csrf)
    url = f"/chair/meetings/{meeting_id}/files"
    empty = await client.post(url, data={"csrf_token": csrf})
    assert empty.status_code == 422
    assert zh("Choose a file to attach.") in empty.text
    too_big = await client.post(
        url,
        data={"csrf_token": csrf},
        files={"file": ("scan.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf")},
    )
    assert too_big.status_code == 422
    assert 'id="file-error"' in too_big.text
    assert zh("The file is too large: at most {limit} MB.").format(limit=10) in too_big.text
    assert await world.db.count(MeetingFile) == 0
    text = await client.post(
        url,
        data={"csrf_token": csrf},
        files={"file": ("签到说明.txt", "请在门口扫码签到。".encode(), "text/plain")},
    )
    assert text.status_code == 200
    file_id = int(re.search(rf"{url}/(\d+)\"", text.text).group(1))  # type: ignore[union-attr]
    download = await client.get(f"{url}/{file_id}")
    assert download.headers["content-type"] == "text/plain; charset=utf-8"
    assert download.text == "请在门口扫码签到。"
    assert download.headers["content-disposition"].startswith('attachment; filename="____.txt"')


async def test_an_observer_reads_the_meeting_but_changes_nothing(
    client: Client, world: World
) -> None:
    csrf = await logged_in(client, world)
    _, meeting_id = await plan_meeting(client, world, csrf)
    await client.post("/chair/logout", data={"csrf_token": csrf})
    secret = await world.add_chair("watcher", "observer", "ruijin2")
    response = await page_login(client, "watcher", secret)
    assert response.status_code in (302, 303), response.text
    page = await client.get(f"/chair/meetings/{meeting_id}")
    assert page.status_code == 200
    assert "2027年实事项目说明会" in page.text
    assert f'action="/chair/meetings/{meeting_id}/move"' not in page.text
    assert f'action="/chair/meetings/{meeting_id}/files"' not in page.text
    before = await world.db.snapshot()
    refused = await client.post(
        f"/chair/meetings/{meeting_id}/move",
        data={"csrf_token": csrf_of(page.text), "move": "start_checkin"},
    )
    assert refused.status_code == 403
    assert await world.db.snapshot() == before


async def test_a_ballot_held_at_the_meeting_is_run_from_the_meeting_page(
    client: Client, world: World
) -> None:
    """The demo's lift hearing: its open in-person ballot closes from the meeting's page (asking
    first), then offers the result check; its reconciliation and live turnout are a click away."""
    csrf = await logged_in(client, world)

    async def lift_meeting(session: AsyncSession) -> int:
        found = await session.scalar(
            select(Meeting.id).where(Meeting.matter_id == world.matters[world.lift_id])
        )
        assert found is not None
        return int(found)

    meeting_id = await world.db.run(lift_meeting)
    page = (await client.get(f"/chair/meetings/{meeting_id}")).text
    assert f'action="/chair/ballots/{world.lift_id}/close"' in page
    assert zh("Close voting…") in page
    assert f'href="/chair/ballots/{world.lift_id}/reconciliation"' in page
    assert f'href="/chair/ballots/{world.lift_id}/turnout"' in page
    asked = await client.post(f"/chair/ballots/{world.lift_id}/close", data={"csrf_token": csrf})
    assert asked.status_code == 200
    closed = await client.post(
        f"/chair/ballots/{world.lift_id}/close", data={"csrf_token": csrf, "confirm": "1"}
    )
    assert closed.status_code == 200
    page = (await client.get(f"/chair/meetings/{meeting_id}")).text
    assert f'action="/chair/ballots/{world.lift_id}/publish"' in page
    assert zh("Check the result and publish") in page
