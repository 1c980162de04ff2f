"""Notices API, items and documents: list items, remove an item of your own from a draft (kept
once published), upload a document as a multipart form (checked as the console checks it),
download and withdraw it; the public reads a published notice's items with their versions and
its current documents, never a draft's. Bad uploads and other units' chairs change nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ballots.models import AuditEntry, Notice, NoticeDocument, NoticeItem
from ballots.notices.documents import DOCUMENT_MAX_BYTES
from tests.vote.helpers import Client, World, assert_problem, bearer, login, zh
from vote.settings import Settings

PDF = b"%PDF-1.4\n% a small notice\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
GENERAL = {
    "title": "楼道整治公示",
    "starts_at": "2026-12-01T09:00:00+08:00",
    "ends_at": "2027-12-31T17:00:00+08:00",
}


async def _notice(client: Client, world: World, headers: dict[str, str]) -> int:
    matter_id = world.matters[world.practical_id]
    created = await client.post(
        f"/api/v1/matters/{matter_id}/notices", json=GENERAL, headers=headers
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _uploads(data_dir: Path) -> list[Path]:
    folder = data_dir / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


async def _state(world: World) -> dict[str, int]:
    return await world.db.snapshot() | {
        "documents": await world.db.count(NoticeDocument),
        "items": await world.db.count(NoticeItem),
        "notices": await world.db.count(Notice),
        "audit": await world.db.count(AuditEntry),
    }


async def test_items_through_the_api(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    notice_id = await _notice(client, world, chair_headers)
    added = await client.post(
        f"/api/v1/notices/{notice_id}/items",
        json={"label": "施工时间", "body": "每天 8 点至 17 点"},
        headers=chair_headers,
    )
    assert added.status_code == 201, added.text
    second = await client.post(
        f"/api/v1/notices/{notice_id}/items", json={"label": "联系人"}, headers=chair_headers
    )
    assert second.status_code == 201
    items = await client.get(f"/api/v1/chair/notices/{notice_id}/items", headers=chair_headers)
    assert items.status_code == 200, items.text
    assert [(i["key"], i["label"]) for i in items.json()] == [
        ("custom-1", "施工时间"),
        ("custom-2", "联系人"),
    ]
    removed = await client.delete(
        f"/api/v1/notices/{notice_id}/items/custom-2", headers=chair_headers
    )
    assert removed.status_code == 200, removed.text
    assert [i["key"] for i in removed.json()["items"]] == ["custom-1"]
    assert (await client.get(f"/api/v1/notices/{notice_id}/items")).status_code == 404
    published = await client.post(f"/api/v1/notices/{notice_id}/publish", headers=chair_headers)
    assert published.status_code == 200
    changed = await client.put(
        f"/api/v1/notices/{notice_id}/items/custom-1",
        json={"body": "每天 9 点至 16 点"},
        headers=chair_headers,
    )
    assert changed.status_code == 200
    before = await _state(world)
    kept = await client.delete(f"/api/v1/notices/{notice_id}/items/custom-1", headers=chair_headers)
    body = assert_problem(kept, 422, "invalid-input")
    assert body["detail"] == zh(
        "Once the notice is published its items stay on record; change the text instead."
    )
    assert await _state(world) == before
    public = await client.get(f"/api/v1/notices/{notice_id}/items")
    assert public.status_code == 200, public.text
    [item] = public.json()
    assert item["body"] == "每天 9 点至 16 点" and item["version"] == 2
    assert [old["body"] for old in item["earlier"]] == ["每天 8 点至 17 点"]


async def test_documents_through_the_api(
    client: Client, world: World, chair_headers: dict[str, str], settings: Settings
) -> None:
    notice_id = await _notice(client, world, chair_headers)
    uploaded = await client.post(
        f"/api/v1/notices/{notice_id}/documents",
        files={"file": ("方案.pdf", PDF, "application/octet-stream")},
        headers=chair_headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()
    assert document["name"] == "方案.pdf" and document["content_type"] == "application/pdf"
    assert document["size"] == len(PDF) and document["withdrawn_at"] is None
    photo = await client.post(
        f"/api/v1/notices/{notice_id}/documents",
        files={"file": ("plan.png", PNG, "image/png")},
        headers=chair_headers,
    )
    assert photo.status_code == 201
    listed = await client.get(f"/api/v1/notices/{notice_id}/documents", headers=chair_headers)
    assert [d["name"] for d in listed.json()] == ["方案.pdf", "plan.png"]
    chair_copy = await client.get(
        f"/api/v1/chair/notices/{notice_id}/documents/{document['id']}", headers=chair_headers
    )
    assert chair_copy.status_code == 200 and chair_copy.content == PDF
    assert chair_copy.headers["content-type"] == "application/pdf"
    assert chair_copy.headers["x-content-type-options"] == "nosniff"
    assert chair_copy.headers["content-disposition"].startswith("attachment")
    public_path = f"/api/v1/notices/{notice_id}/documents/{document['id']}"
    assert (await client.get(public_path)).status_code == 404  # a draft's document
    await client.post(f"/api/v1/notices/{notice_id}/publish", headers=chair_headers)
    public = await client.get(public_path)
    assert public.status_code == 200 and public.content == PDF
    assert "html" not in public.headers["content-type"]
    inline = await client.get(f"/api/v1/notices/{notice_id}/documents/{photo.json()['id']}")
    assert inline.headers["content-type"] == "image/png"
    assert inline.headers["content-disposition"].startswith("inline")
    withdrawn = await client.post(
        f"/api/v1/notices/{notice_id}/documents/{document['id']}/withdraw", headers=chair_headers
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    again = await client.post(
        f"/api/v1/notices/{notice_id}/documents/{document['id']}/withdraw", headers=chair_headers
    )
    assert_problem(again, 422, "invalid-input")
    assert (await client.get(public_path)).status_code == 404
    shown = (await client.get(f"/api/v1/notices/{notice_id}")).json()["documents"]
    assert [(d["name"], bool(d["withdrawn_at"])) for d in shown] == [
        ("方案.pdf", True),
        ("plan.png", False),
    ]
    still = await client.get(
        f"/api/v1/chair/notices/{notice_id}/documents/{document['id']}", headers=chair_headers
    )
    assert still.status_code == 200 and still.content == PDF  # kept on record
    assert len(_uploads(settings.data_dir)) == 2


async def test_bad_uploads_are_refused_and_keep_nothing(
    client: Client, world: World, chair_headers: dict[str, str], settings: Settings
) -> None:
    notice_id = await _notice(client, world, chair_headers)
    path = f"/api/v1/notices/{notice_id}/documents"
    before = await _state(world)
    cases: list[tuple[dict[str, Any], int, str, str]] = [
        (
            {"files": {"file": ("page.html", b"<!doctype html><p>hi</p>", "text/plain")}},
            422,
            "upload-refused",
            zh("Only PDF files, photos (JPG, PNG or WebP) or plain text can be uploaded."),
        ),
        (
            {"files": {"file": ("x.exe", b"MZ\x90\x00\x03\x00\x00\x00", "application/pdf")}},
            422,
            "upload-refused",
            zh("Only PDF files, photos (JPG, PNG or WebP) or plain text can be uploaded."),
        ),
        (
            {"files": {"file": ("big.pdf", PDF + b"\x00" * DOCUMENT_MAX_BYTES, "application/pdf")}},
            422,
            "upload-refused",
            zh("The file is too large: at most {limit} MB.").format(limit=10),
        ),
        (
            {"files": {"file": ("empty.txt", b"", "text/plain")}},
            422,
            "upload-refused",
            zh("The file is empty."),
        ),
        ({"data": {"file": "not a file"}}, 400, "invalid-body", ""),
        ({"json": {"file": "x"}}, 400, "invalid-body", ""),
    ]
    for kwargs, status, slug, detail in cases:
        response = await client.post(path, headers=chair_headers, **kwargs)
        body = assert_problem(response, status, slug)
        if detail:
            assert body["detail"] == detail
    huge = await client.post(
        path,
        files={"file": ("huge.pdf", PDF + b"\x00" * (2 * DOCUMENT_MAX_BYTES), "application/pdf")},
        headers=chair_headers,
    )
    assert_problem(huge, 413, "body-too-large")
    assert await _state(world) == before
    assert _uploads(settings.data_dir) == []


async def test_other_units_chairs_and_the_public_are_refused(
    client: Client, world: World, chair_headers: dict[str, str], settings: Settings
) -> None:
    notice_id = await _notice(client, world, chair_headers)
    await client.post(
        f"/api/v1/notices/{notice_id}/items", json={"label": "施工时间"}, headers=chair_headers
    )
    uploaded = await client.post(
        f"/api/v1/notices/{notice_id}/documents",
        files={"file": ("方案.pdf", PDF, "application/pdf")},
        headers=chair_headers,
    )
    document_id = uploaded.json()["id"]
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    other = bearer(await login(client, "sinan_chair", secret, ahead=1))
    before = await _state(world)
    files = {"file": ("x.pdf", PDF, "application/pdf")}
    calls: tuple[tuple[str, str, dict[str, Any]], ...] = (
        ("GET", f"/api/v1/chair/notices/{notice_id}/items", {}),
        ("DELETE", f"/api/v1/notices/{notice_id}/items/custom-1", {}),
        ("POST", f"/api/v1/notices/{notice_id}/documents", {"files": files}),
        ("GET", f"/api/v1/chair/notices/{notice_id}/documents/{document_id}", {}),
        ("POST", f"/api/v1/notices/{notice_id}/documents/{document_id}/withdraw", {}),
    )
    for method, path, kwargs in calls:
        response = await client.request(method, path, headers=other, **kwargs)
        assert response.status_code == 403, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        anonymous = await client.request(method, path, **kwargs)
        assert anonymous.status_code == 401, (path, anonymous.text)
    for path in (
        f"/api/v1/notices/{notice_id}/items",
        f"/api/v1/notices/{notice_id}/documents/{document_id}",
        f"/api/v1/notices/{notice_id}",
    ):
        assert (await client.get(path)).status_code == 404, path  # not published
    assert await _state(world) == before
    assert len(_uploads(settings.data_dir)) == 1
