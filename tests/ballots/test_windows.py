"""Long lists read a slice at a time (:class:`ballots.listings.Window`): the evaluation register,
a notice's opinions, the overdue actions and a unit's organisations come in a stable order, the
slices add up to the whole list with nothing twice, and ``total`` counts the whole list."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.evaluations.subjects import add_subject, subjects_window, update_subject
from ballots.followup.actions import create_action, overdue_window
from ballots.listings import Window
from ballots.matters import create_matter
from ballots.notices import opinions
from ballots.organisations import add_organisation, organisations_window
from ballots.units import get_unit
from tests.ballots.factories import ADMIN, KEY, build_world
from tests.ballots.notices.test_opinions import DURING, hearing

TODAY = date(2026, 3, 10)


async def _every_slice(fetch: Any, size: int) -> tuple[list[Any], set[int]]:
    """Every item, slice after slice of ``size``, and the totals each slice reported."""
    items: list[Any] = []
    totals: set[int] = set()
    offset = 0
    while True:
        window: Window[Any] = await fetch(offset, size)
        assert len(window.items) <= size and (window.offset, window.limit) == (offset, size)
        totals.add(window.total)
        if not window.items:
            return items, totals
        items.extend(window.items)
        offset += size


async def test_the_register_in_slices(session: AsyncSession) -> None:
    world = await build_world(session)
    plan = [  # (unit, kind, name): two 物业 in different units share a name
        (world.area_id, "staff", "王主任"),
        (world.area_id, "agency", "物业"),
        (world.other_area_id, "agency", "物业"),
        (world.area_id, "project", "平改坡"),
        (world.street_id, "team", "志愿者队"),
        (world.area_id, "agency", "保安公司"),
        (world.other_area_id, "staff", "李书记"),
    ]
    ids = []
    for unit_id, kind, name in plan:
        ids.append((await add_subject(session, ADMIN, unit_id=unit_id, kind=kind, name=name)).id)
    await update_subject(  # a deactivated one stays in the register
        session,
        ADMIN,
        ids[0],
        kind="staff",
        name="王主任",
        description="",
        organisation_id=None,
        matter_id=None,
        active=False,
    )
    await session.commit()
    expected = sorted(zip(plan, ids, strict=True), key=lambda p: (p[0][1], p[0][2], p[1]))
    street = await get_unit(session, world.street_id)
    for size in (1, 2, 3, 50):
        found, totals = await _every_slice(
            lambda offset, limit: subjects_window(session, street.path, offset, limit), size
        )
        assert [s.id for s in found] == [subject_id for _, subject_id in expected]
        assert totals == {len(plan)}
    area = await get_unit(session, world.area_id)
    window = await subjects_window(session, area.path, 1, 2)
    mine = [subject_id for (unit_id, _, _), subject_id in expected if unit_id == world.area_id]
    assert [s.id for s in window.items] == mine[1:3] and window.total == len(mine) == 4


async def test_opinions_in_slices_keep_their_numbers(session: AsyncSession) -> None:
    world = await build_world(session)
    notice_id = await hearing(session, world, anonymous=True)
    sent = []
    for n in range(7):
        sent.append(await opinions.submit(session, KEY, notice_id, text=f"意见{n}", now=DURING))
    await session.commit()
    await opinions.hide(session, ADMIN, sent[2].id, "辱骂他人")
    await session.commit()
    found, totals = await _every_slice(
        lambda offset, limit: opinions.opinions_window(session, notice_id, offset, limit), 2
    )
    assert [(o.number, o.text) for o in found] == [(n + 1, f"意见{n}") for n in range(7) if n != 2]
    assert totals == {6}
    hidden = await opinions.opinions_window(session, notice_id, 0, 10, hidden=True)
    assert [(o.number, o.hidden) for o in hidden.items] == [(3, True)] and hidden.total == 1
    every = await opinions.opinions_window(session, notice_id, 0, 100, hidden=None)
    assert every.total == 7
    # the page a chair finds an opinion on, among the shown ones (No. 3 hidden)
    pages = [await opinions.opinion_page_of(session, o, 2) for o in sent]
    assert pages == [1, 1, 1, 2, 2, 3, 3]


async def test_overdue_actions_and_organisations_in_slices(session: AsyncSession) -> None:
    world = await build_world(session)
    matter = await create_matter(
        session, ADMIN, unit_id=world.area_id, kind="coordination", title="动迁补偿协调"
    )
    dues = [date(2026, 3, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 3, 9), None]
    made = []
    for n, due in enumerate(dues):
        made.append(
            await create_action(
                session,
                ADMIN,
                kind="milestone",
                matter_id=matter.id,
                title=f"事项{n}",
                owner="物业",
                due_on=due,
            )
        )
    await session.commit()
    # independently: overdue = a due date before today, most overdue first, then by id
    late = sorted(
        (a for a, due in zip(made, dues, strict=True) if due is not None and due < TODAY),
        key=lambda a: (a.due_on, a.id),
    )
    found, totals = await _every_slice(
        lambda offset, limit: overdue_window(session, "/", TODAY, offset, limit), 3
    )
    assert [row.action.id for row in found] == [a.id for a in late] and totals == {4}
    assert [row.days for row in found] == [37, 9, 9, 1]

    names = ["区房管局", "上海某动迁公司", "物业公司", "街道城管科"]
    for name in names:
        await add_organisation(session, ADMIN, unit_id=world.street_id, name=name)
    await add_organisation(session, ADMIN, unit_id=world.area_id, name="物业公司")
    await session.commit()
    area = await get_unit(session, world.area_id)
    listed, totals = await _every_slice(
        lambda offset, limit: organisations_window(session, area, offset, limit), 2
    )
    assert [o.name for o in listed] == sorted([*names, "物业公司"])
    assert totals == {5}
    twins = [o for o in listed if o.name == "物业公司"]
    assert twins[0].id < twins[1].id  # same name: by id
