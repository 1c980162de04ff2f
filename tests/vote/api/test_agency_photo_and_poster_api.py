"""The agency API's photo and poster PDF: a demand sent as a multipart form carries a photo,
checked by its bytes and size as the poster's web form checks it (a refused one keeps nothing);
its unit's chairs fetch the photo, another unit's chair cannot; a poster's PDF holds the title,
the building, the unit's name and a QR code that decodes to the demand form, which opens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import zxingcpp
from sqlalchemy import func, select

from ballots.models import AuditEntry, Demand, Unit
from tests.vote.helpers import BASE_URL, Client, World, assert_problem, bearer, login, zh
from vote.settings import Settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PHOTO_LIMIT = 5 * 1024 * 1024
FORM = "/api/v1/agency/public/demands/with-photo"


async def _poster(client: Client, headers: dict[str, str], unit_id: int) -> tuple[int, str, int]:
    made = await client.post(
        f"/api/v1/agency/units/{unit_id}/posters", json={"building": "3号楼"}, headers=headers
    )
    assert made.status_code == 201, made.text
    listed = await client.get(f"/api/v1/agency/units/{unit_id}/categories", headers=headers)
    return int(made.json()["id"]), str(made.json()["token"]), int(listed.json()[0]["id"])


def _uploads(data_dir: Path) -> list[Path]:
    folder = data_dir / "uploads"
    return list(folder.iterdir()) if folder.exists() else []


async def _state(world: World) -> tuple[dict[str, int], int]:
    async def demands(session: Any) -> int:
        return int(await session.scalar(select(func.count(Demand.id))))

    return await world.db.snapshot() | {
        "audit": await world.db.count(AuditEntry)
    }, await world.db.run(demands)


async def test_a_demand_with_a_photo(
    client: Client, world: World, chair_headers: dict[str, str], settings: Settings
) -> None:
    _poster_id, token, category = await _poster(client, chair_headers, world.units["maoming"])
    sent = await client.post(
        FORM,
        data={"token": token, "category_id": str(category), "text": "楼道灯坏了", "contact": "139"},
        files={"photo": ("light.png", PNG, "image/png")},
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["link"].endswith("/d/r/" + sent.json()["secret"])
    plain = await client.post(
        FORM, data={"token": token, "category_id": str(category), "text": "没有照片"}
    )
    assert plain.status_code == 201, plain.text
    assert len(_uploads(settings.data_dir)) == 1
    inbox = (await client.get("/api/v1/agency/demands", headers=chair_headers)).json()
    by_text = {d["text"]: d for d in inbox["demands"]}
    assert by_text["楼道灯坏了"]["has_photo"] and not by_text["没有照片"]["has_photo"]
    with_photo, without = by_text["楼道灯坏了"]["id"], by_text["没有照片"]["id"]
    photo = await client.get(f"/api/v1/agency/demands/{with_photo}/photo", headers=chair_headers)
    assert photo.status_code == 200 and photo.content == PNG
    assert photo.headers["content-type"] == "image/png"
    assert photo.headers["x-content-type-options"] == "nosniff"
    none = await client.get(f"/api/v1/agency/demands/{without}/photo", headers=chair_headers)
    assert_problem(none, 404, "not-found")
    assert (await client.get(f"/api/v1/agency/demands/{with_photo}/photo")).status_code == 401
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    sinan = bearer(await login(client, "sinan_chair", secret))
    refused = await client.get(f"/api/v1/agency/demands/{with_photo}/photo", headers=sinan)
    assert_problem(refused, 403, "outside-unit")


async def test_bad_photos_and_fields_are_refused_and_keep_nothing(
    client: Client, world: World, chair_headers: dict[str, str], settings: Settings
) -> None:
    _poster_id, token, category = await _poster(client, chair_headers, world.units["maoming"])
    fields = {"token": token, "category_id": str(category), "text": "漏水"}
    before = await _state(world)
    not_a_photo = zh("Only a photo (JPG, PNG or WebP) can be uploaded here.")
    cases: list[tuple[dict[str, Any], int, str, str]] = [
        (
            {"data": fields, "files": {"photo": ("x.png", b"%PDF-1.4 a pdf", "image/png")}},
            422,
            "upload-refused",
            not_a_photo,
        ),
        (
            {"data": fields, "files": {"photo": ("x.html", b"<html><p>x</p>", "image/png")}},
            422,
            "upload-refused",
            not_a_photo,
        ),
        (
            {
                "data": fields,
                "files": {"photo": ("x.png", PNG + b"\x00" * PHOTO_LIMIT, "image/png")},
            },
            422,
            "upload-refused",
            zh("The file is too large: at most {limit} MB.").format(limit=5),
        ),
        (
            {"data": fields | {"token": "nope"}, "files": {"photo": ("x.png", PNG, "image/png")}},
            404,
            "poster-unknown",
            "",
        ),
        (
            {"data": fields | {"text": "  "}, "files": {"photo": ("x.png", PNG, "image/png")}},
            422,
            "invalid-input",
            "",
        ),
        (
            {"data": fields | {"category_id": "999999"}, "files": {"photo": ("x.png", PNG)}},
            422,
            "invalid-input",
            "",
        ),
        ({"data": {"token": token, "text": "漏水"}}, 400, "invalid-body", ""),
        ({"data": fields | {"category_id": "three"}}, 400, "invalid-body", ""),
        ({"data": fields | {"text": "x" * 2001}}, 400, "invalid-body", ""),
        ({"data": fields | {"photo": "not a file"}}, 400, "invalid-body", ""),
    ]
    for kwargs, status, slug, detail in cases:
        response = await client.post(FORM, **kwargs)
        body = assert_problem(response, status, slug)
        if detail:
            assert body["detail"] == detail
    huge = await client.post(
        FORM, data=fields, files={"photo": ("x.png", PNG + b"\x00" * 2 * PHOTO_LIMIT, "image/png")}
    )
    assert_problem(huge, 413, "body-too-large")
    assert await _state(world) == before
    assert _uploads(settings.data_dir) == []


def _decode(data: bytes) -> tuple[list[str], str]:
    """The QR codes on the single A4 page and the page's text."""
    pdf = pdfium.PdfDocument(data)
    try:
        assert len(pdf) == 1
        page = pdf[0]
        width, height = page.get_size()
        assert (round(width, 1), round(height, 1)) == (595.3, 841.9)  # A4
        image = page.render(scale=150 / 72, grayscale=True).to_pil()
        codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        return [code.text for code in codes], page.get_textpage().get_text_range()
    finally:
        pdf.close()


async def test_a_posters_pdf_opens_the_demand_form(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    poster_id, token, _category = await _poster(client, chair_headers, world.units["maoming"])
    answer = await client.get(f"/api/v1/agency/posters/{poster_id}/pdf", headers=chair_headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    codes, text = _decode(answer.content)
    assert codes == [f"{BASE_URL}/d/{token}"]
    for words in (zh("Something to report? Tell the residents' committee: scan here"), "3号楼"):
        assert words in text
    assert zh("Scan the code with your phone's camera or WeChat.") in text

    async def unit_name(session: Any) -> str:
        unit = await session.get(Unit, world.units["maoming"])
        return str(unit.name)

    assert await world.db.run(unit_name) in text
    form = await client.get(codes[0].removeprefix(BASE_URL))
    assert form.status_code == 200 and "3号楼" in form.text and 'name="text"' in form.text
    english = await client.get(
        f"/api/v1/agency/posters/{poster_id}/pdf", headers=chair_headers | {"accept-language": "en"}
    )
    assert "Scan the code with your phone's camera or WeChat." in _decode(english.content)[1]
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    sinan = bearer(await login(client, "sinan_chair", secret))
    refused = await client.get(f"/api/v1/agency/posters/{poster_id}/pdf", headers=sinan)
    assert_problem(refused, 403, "outside-unit")
    assert (await client.get(f"/api/v1/agency/posters/{poster_id}/pdf")).status_code == 401
    missing = await client.get("/api/v1/agency/posters/999999/pdf", headers=chair_headers)
    assert_problem(missing, 404, "not-found")
