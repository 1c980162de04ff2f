"""Importing rosters into an area's roll, on SQLite and PostgreSQL, and masked listings."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor, operator
from ballots.errors import InvalidInput, OutsideUnit, RoleNotAllowed
from ballots.models import AuditEntry, Household, Resident, Unit
from ballots.roll import (
    FieldChange,
    ImportReport,
    RosterHasErrors,
    import_roll,
    list_residents,
    mask_name,
    mask_phone,
    parse_roster,
)
from ballots.units import create_unit

FIXTURES = Path(__file__).parents[2] / "fixtures" / "rosters"
LUWAN = (FIXTURES / "luwan_utf8_bom.csv").read_bytes().decode("utf-8-sig")


class Tree(msgspec.Struct):
    street: Unit
    area: Unit
    other_area: Unit


@pytest.fixture
async def tree(session: AsyncSession) -> Tree:
    admin = operator("test")
    district = await create_unit(session, admin, name="卢湾区", code="luwan", level="district")
    street = await create_unit(
        session, admin, name="瑞金二路街道", code="ruijin2", level="street", parent_id=district.id
    )
    area = await create_unit(
        session, admin, name="茂名居民区", code="maoming", level="area", parent_id=street.id
    )
    other = await create_unit(
        session, admin, name="思南居民区", code="sinan", level="area", parent_id=street.id
    )
    await session.commit()
    return Tree(street=street, area=area, other_area=other)


async def import_file(
    session: AsyncSession,
    unit: Unit,
    text: str | bytes,
    *,
    dry_run: bool = False,
    filename: str = "roster.csv",
    actor: Actor | None = None,
) -> ImportReport:
    """What the CLI and web do: parse the file, import the rows, commit."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    rows = parse_roster(data, filename)
    report = await import_roll(session, actor or operator("test"), unit.id, rows, dry_run=dry_run)
    await session.commit()
    return report


async def snapshot(session: AsyncSession) -> list[tuple[object, ...]]:
    """Everything the roll and audit log hold, to check that nothing changed."""
    residents = await session.execute(
        select(
            Resident.unit_id,
            Resident.external_id,
            Resident.name,
            Resident.phone,
            Resident.role,
            Resident.household_id,
            Resident.updated_at,
        ).order_by(Resident.id)
    )
    households = await session.execute(
        select(Household.external_id, Household.area).order_by(Household.id)
    )
    audit = await session.scalar(select(func.count()).select_from(AuditEntry))
    return [*map(tuple, residents.all()), *map(tuple, households.all()), (audit,)]


async def count(session: AsyncSession, model: type[Resident] | type[Household]) -> int:
    return await session.scalar(select(func.count()).select_from(model)) or 0


def ids(refs: list[object]) -> list[str]:
    return [getattr(r, "external_id") for r in refs]  # noqa: B009


async def test_dry_run_reports_what_would_be_added_and_writes_nothing(
    session: AsyncSession, tree: Tree
) -> None:
    before = await snapshot(session)
    rows = parse_roster(LUWAN.encode(), "r.csv")
    report = await import_roll(session, operator(), tree.area.id, rows, dry_run=True)
    assert not session.new and not session.dirty
    await session.commit()
    assert report.dry_run
    assert ids(report.added) == ["A-001", "A-002", "A-003", "A-004", "A-005"]
    assert report.households_added == ["3-101", "3-202", "5-301", "5-302"]
    assert report.counts["added"] == 5
    assert await snapshot(session) == before


async def test_import_adds_residents_households_and_an_audit_entry(
    session: AsyncSession, tree: Tree
) -> None:
    report = await import_file(session, tree.area, LUWAN)
    assert report.counts == {
        "added": 5,
        "updated": 0,
        "unchanged": 0,
        "not_in_file": 0,
        "households_added": 4,
        "households_updated": 0,
        "flats_added": 4,
        "flats_updated": 0,
    }
    residents = (await session.scalars(select(Resident).order_by(Resident.external_id))).all()
    assert [(r.name, r.role, r.birth_year, r.unit_id) for r in residents] == [
        ("张建国", "owner", 1948, tree.area.id),
        ("李秀英", "owner", 1951, tree.area.id),
        ("王海燕", "tenant", 1975, tree.area.id),
        ("赵志强", "migrant", 1988, tree.area.id),
        ("欧阳娜娜", "owner", None, tree.area.id),
    ]
    assert residents[0].phone == "13812345678"
    assert residents[0].tags == ["党员", "楼组长"]
    assert residents[0].household_id == residents[1].household_id
    households = {h.external_id: h for h in await session.scalars(select(Household))}
    assert households["3-101"].area == 85.5
    assert households["3-202"].area is None
    assert (households["5-302"].building, households["5-302"].room) == ("5", "302")
    [entry] = (
        await session.scalars(select(AuditEntry).where(AuditEntry.action == "roll.import"))
    ).all()
    assert (entry.action, entry.target, entry.unit_id) == (
        "roll.import",
        f"unit:{tree.area.id}",
        tree.area.id,
    )
    assert entry.details["added"] == ["A-001", "A-002", "A-003", "A-004", "A-005"]
    assert "13812345678" not in msgspec.json.encode(entry.details).decode()


async def test_reimporting_the_same_roll_in_another_encoding_changes_nothing(
    session: AsyncSession, tree: Tree
) -> None:
    await import_file(session, tree.area, LUWAN)
    gb = (FIXTURES / "luwan_gb18030.csv").read_bytes()
    report = await import_file(session, tree.area, gb)
    assert report.counts["added"] == report.counts["updated"] == 0
    assert ids(report.unchanged) == ["A-001", "A-002", "A-003", "A-004", "A-005"]
    assert await count(session, Resident) == 5
    assert await count(session, Household) == 4


async def test_reimport_updates_by_id_never_duplicates_and_keeps_residents_not_in_file(
    session: AsyncSession, tree: Tree
) -> None:
    await import_file(session, tree.area, LUWAN)
    changed = (
        "编号,姓名,楼栋,门牌,户号,手机,出生日期,身份,专有面积,标签\n"
        "A-001,张建国,3,101,3-101,13987654321,1948-05-12,业主,86,党员、楼组长\n"
        "A-002,李秀英,3,101,3-101,,1951/3/2,业主,86,\n"
        "A-003,王海燕,5,303,5-303,021-64381234,1975年10月1日,业主,,\n"
        "A-006,孙丽,5,302,5-302,,1990,,70.25,\n"
    )
    dry = await import_file(session, tree.area, changed, dry_run=True)
    report = await import_file(session, tree.area, changed)
    assert msgspec.structs.replace(dry, dry_run=False) == report
    assert ids(report.added) == ["A-006"]
    assert ids(report.not_in_file) == ["A-004", "A-005"]
    assert report.households_added == ["5-303"]
    [household_update] = report.households_updated
    assert household_update.household == "3-101"
    assert household_update.changes == [FieldChange("area", 85.5, 86.0)]
    updates = {u.external_id: u.changes for u in report.updated}
    assert updates["A-001"] == [
        FieldChange("phone", "138****5678", "139****4321"),
        FieldChange("area", 85.5, 86.0),
    ]
    assert updates["A-003"] == [
        FieldChange("building", "3", "5"),
        FieldChange("room", "202", "303"),
        FieldChange("household", "3-202", "5-303"),
        FieldChange("role", "tenant", "owner"),
        FieldChange("flats", [], ["5-303"]),
    ]
    assert await count(session, Resident) == 6  # are still on the roll
    moved = await session.scalar(select(Resident).where(Resident.external_id == "A-003"))
    assert moved is not None
    new_home = await session.get(Household, moved.household_id)
    assert new_home is not None and new_home.external_id == "5-303"
    audit = (
        await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "roll.import").order_by(AuditEntry.id)
        )
    ).all()
    assert len(audit) == 2  # one per real import, none for the dry run
    assert audit[1].details["updated"]["A-003"] == [
        "building",
        "room",
        "household",
        "role",
        "flats",
    ]


async def test_columns_left_out_of_the_file_keep_what_the_roll_has(
    session: AsyncSession, tree: Tree
) -> None:
    await import_file(session, tree.area, LUWAN)
    report = await import_file(
        session, tree.area, "编号,姓名,楼栋,门牌,户号\nA-001,张建国,3,101,3-101\n"
    )
    assert ids(report.unchanged) == ["A-001"]
    resident = await session.scalar(select(Resident).where(Resident.external_id == "A-001"))
    assert resident is not None
    assert (resident.phone, resident.role, resident.tags) == (
        "13812345678",
        "owner",
        ["党员", "楼组长"],
    )
    household = await session.scalar(select(Household).where(Household.external_id == "3-101"))
    assert household is not None and household.area == 85.5


async def test_without_ids_residents_are_keyed_by_household_and_name_and_adopt_ids_later(
    session: AsyncSession, tree: Tree
) -> None:
    no_ids = "姓名,楼栋,门牌,户号\n张三,1,101,1-101\n李四,1,101,1-101\n"
    await import_file(session, tree.area, no_ids)
    again = await import_file(session, tree.area, no_ids)
    assert ids(again.unchanged) == ["1-101/张三", "1-101/李四"]
    with_ids = "编号,姓名,楼栋,门牌,户号\nB-1,张三,1,101,1-101\nB-2,李四,1,101,1-101\n"
    report = await import_file(session, tree.area, with_ids)
    assert report.added == [] and report.not_in_file == []
    assert [u.changes for u in report.updated] == [
        [FieldChange("external_id", "1-101/张三", "B-1")],
        [FieldChange("external_id", "1-101/李四", "B-2")],
    ]
    assert await count(session, Resident) == 2


async def test_the_same_ids_in_two_areas_are_different_residents(
    session: AsyncSession, tree: Tree
) -> None:
    await import_file(session, tree.area, LUWAN)
    report = await import_file(session, tree.other_area, LUWAN)
    assert len(report.added) == 5
    assert await count(session, Resident) == 10


BAD_FILES = [
    pytest.param(
        "编号,楼栋,门牌,户号\nA-001,3,101,3-101\n", "missing column 姓名 (name)", id="missing"
    ),
    pytest.param(
        "编号,姓名,楼栋,门牌,户号\nA-001,张建国,,101,3-101\n",
        "row 2, column 楼栋: building is empty",
        id="empty-building",
    ),
    pytest.param(
        "编号,姓名,楼栋,门牌,户号,出生年份\nA-001,张建国,3,101,3-101,19x0\n",
        "row 2, column 出生年份: '19x0' is not a date or year",
        id="bad-date",
    ),
    pytest.param(
        "编号,姓名,楼栋,门牌,户号\nA-001,张建国,3,101,3-101\nA-001,李秀英,3,101,3-101\n",
        "rows 2 and 3 have the same 编号 'A-001'",
        id="duplicate-id",
    ),
    pytest.param(
        "编号,姓名,楼栋,门牌,户号,面积\nA-001,张建国,3,101,3-101,85\nA-002,李秀英,3,101,3-101,90\n",
        "row 3, column 面积: household '3-101' has area 90 here but 85 in row 2; one household "
        "has one area",
        id="area-conflict",
    ),
    pytest.param(
        "编号,姓名,楼栋,门牌,户号,手机\nA-001,张建国,3,101,3-101,138123\n",
        "row 2, column 手机: '138123' is not a mobile number (11 digits, starting with 1) or a "
        "landline number",
        id="bad-phone",
    ),
    pytest.param(
        "编号,姓名,楼栋,门牌,户号,身份\nA-001,张建国,3,101,3-101,房东\n",
        "row 2, column 身份: unknown role '房东'; use 业主 (owner), 租户 (tenant) or 来沪人员 "
        "(migrant)",
        id="bad-role",
    ),
    pytest.param("", "the file is empty", id="empty"),
    pytest.param(
        "编号,姓名,楼栋,门牌,户号\n",
        "the file has a header row but no residents under it",
        id="header",
    ),
    pytest.param(
        "编号,姓名,楼栋,门牌,户号\nA-001,张建国,3,101,3-101\n".encode("utf-16"),
        "unknown encoding: save the file as UTF-8 or GB18030",
        id="encoding",
    ),
]


@pytest.mark.parametrize(("data", "message"), BAD_FILES)
async def test_a_bad_file_names_the_problem_and_changes_nothing(
    session: AsyncSession, tree: Tree, data: str | bytes, message: str
) -> None:
    await import_file(session, tree.area, LUWAN)
    before = await snapshot(session)
    with pytest.raises(RosterHasErrors) as caught:
        await import_file(session, tree.area, data)
    assert message in [e.message for e in caught.value.errors]
    await session.rollback()
    assert await snapshot(session) == before


async def test_a_chair_outside_the_unit_is_refused_and_nothing_changes(
    session: AsyncSession, tree: Tree
) -> None:
    before = await snapshot(session)
    chair = Actor(name="思南 chair", role="area_chair", unit_path=tree.other_area.path)
    rows = parse_roster(LUWAN.encode(), "r.csv")
    for dry_run in (True, False):
        with pytest.raises(OutsideUnit):
            await import_roll(session, chair, tree.area.id, rows, dry_run=dry_run)
    observer = Actor(name="observer", role="observer", unit_path=tree.area.path)
    with pytest.raises(RoleNotAllowed):
        await import_roll(session, observer, tree.area.id, rows, dry_run=True)
    with pytest.raises(OutsideUnit):
        await list_residents(session, chair, tree.area.id)
    await session.commit()
    assert await snapshot(session) == before


async def test_a_chair_of_the_area_or_its_street_may_import(
    session: AsyncSession, tree: Tree
) -> None:
    area_chair = Actor(name="茂名 chair", role="area_chair", unit_path=tree.area.path)
    report = await import_file(session, tree.area, LUWAN, actor=area_chair, dry_run=True)
    assert len(report.added) == 5
    street_chair = Actor(name="街道 chair", role="street_chair", unit_path=tree.street.path)
    report = await import_file(session, tree.area, LUWAN, actor=street_chair)
    assert len(report.added) == 5


async def test_only_a_residential_area_has_a_roll(session: AsyncSession, tree: Tree) -> None:
    rows = parse_roster(LUWAN.encode(), "r.csv")
    with pytest.raises(InvalidInput, match="residential area"):
        await import_roll(session, operator(), tree.street.id, rows, dry_run=True)


async def test_listings_mask_phones_everywhere(session: AsyncSession, tree: Tree) -> None:
    await import_file(session, tree.area, LUWAN)
    views = await list_residents(session, operator(), tree.area.id)
    assert [(v.name, v.phone_masked) for v in views] == [
        ("张建国", "138****5678"),
        ("李秀英", ""),
        ("王海燕", "021****1234"),
        ("赵志强", "139****1111"),
        ("欧阳娜娜", ""),
    ]
    encoded = msgspec.json.encode(views).decode()
    for raw in ("13812345678", "02164381234", "13900001111"):
        assert raw not in encoded
    assert views[0].household == "3-101"


async def test_listing_pages_and_covers_the_subtree(session: AsyncSession, tree: Tree) -> None:
    await import_file(session, tree.area, LUWAN)
    await import_file(session, tree.other_area, (FIXTURES / "english_headers.csv").read_bytes())
    street_chair = Actor(name="街道 chair", role="street_chair", unit_path=tree.street.path)
    everyone = await list_residents(session, street_chair, tree.street.id)
    assert len(everyone) == 8
    page = await list_residents(session, street_chair, tree.street.id, offset=2, limit=3)
    assert [v.id for v in page] == [v.id for v in everyone[2:5]]
    with pytest.raises(InvalidInput):
        await list_residents(session, street_chair, tree.street.id, limit=0)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("02164381234", "021****1234"),
        ("64381234", "****1234"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三明", "张*明"), ("李四", "李*"), ("欧阳娜娜", "欧**娜"), ("王", "*"), ("", "")],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked
