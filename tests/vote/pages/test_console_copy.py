"""Console: copy a ballot to another unit — the link on the matter page, the page listing the
chair's units in tree order and their matters, the new draft's matter page saying what was left
out; errors beside their field in Chinese, changing nothing; units outside the chair's refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import lifecycle
from ballots.access import operator
from ballots.eligibility import Eligibility
from ballots.models import AuditEntry, Ballot, Matter, MatterEvent
from tests.ballots.factories import single
from tests.vote.helpers import Client, World, csrf_of, page_login, zh

EVALUATION_MATTER = "平改坡工程与物业服务评议"


async def logged_in(client: Client, world: World, username: str = "chair", secret: str = "") -> str:
    response = await page_login(client, username, secret or world.info.totp_secret)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/matters")).text)


def copy_page(ballot_id: int) -> str:
    return f"/chair/ballots/{ballot_id}/copy"


async def test_the_matter_page_links_to_the_copy_page_which_lists_the_units(
    client: Client, world: World
) -> None:
    await logged_in(client, world)
    matter = await client.get(f"/chair/matters/{world.matters[world.published_id]}")
    assert f'href="{copy_page(world.published_id)}"' in matter.text
    assert zh("Copy to another unit") in matter.text
    page = await client.get(copy_page(world.published_id))
    assert page.status_code == 200
    assert zh("Copy a ballot to another unit") in page.text
    unit_select = page.text.split('<select id="unit"')[1].split("</select>")[0]
    labels = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', unit_select)
    # Tree order: the street first, its areas indented under it; the ballot's own area too.
    assert labels[0].startswith("瑞金二路街道")
    assert labels[1:] == [
        "\u3000瑞金一居民区 (" + zh("Residential area") + ")",
        "\u3000茂名居民区 (" + zh("Residential area") + ")",
        "\u3000思南居民区 (" + zh("Residential area") + ")",
    ]
    assert '<optgroup label="茂名居民区' in page.text  # matters, grouped by unit
    assert zh("New matter with the same title: %(title)s") % {"title": EVALUATION_MATTER} in (
        page.text
    )


async def test_copying_the_published_evaluation_lands_on_the_new_drafts_matter(
    client: Client, world: World
) -> None:
    csrf = await logged_in(client, world)
    matters_before = await world.db.count(Matter, Matter.title == EVALUATION_MATTER)
    done = await client.post(
        copy_page(world.published_id),
        data={"csrf_token": csrf, "unit": str(world.units["sinan"]), "matter": ""},
    )
    assert done.status_code == 200, done.text
    assert (
        zh("The ballot “%(title)s” is copied to %(unit)s as a draft.")
        % {
            "title": "2026年服务评议",
            "unit": "思南居民区",
        }
        in done.text
    )
    assert zh("Everything was copied; nothing was left out.") in done.text
    assert zh("Ballot copied") in done.text  # the timeline
    assert "思南居民区" in done.text
    assert await world.db.count(Matter, Matter.title == EVALUATION_MATTER) == matters_before + 1

    async def copied(session: AsyncSession) -> tuple[Ballot, Matter]:
        ballot = await session.scalar(
            select(Ballot).where(Ballot.title == "2026年服务评议").order_by(Ballot.id.desc())
        )
        assert ballot is not None
        matter = await session.get(Matter, ballot.matter_id)
        assert matter is not None
        return ballot, matter

    ballot, matter = await world.db.run(copied)
    assert ballot.state == "draft" and ballot.id != world.published_id
    assert matter.unit_id == world.units["sinan"]
    assert await world.db.count(AuditEntry, AuditEntry.action == "ballot.copy") == 1
    assert await world.db.count(MatterEvent, MatterEvent.kind == "ballot_copied") == 1


async def test_what_was_left_out_is_said_in_plain_words(client: Client, world: World) -> None:
    async def source(session: AsyncSession) -> int:
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        created = await lifecycle.create_ballot(
            session,
            operator(),
            world.matters[world.firm_id],
            lifecycle.BallotDraft(
                title="三号楼加装电梯意见征询",
                questions=[single()],
                eligibility=Eligibility(
                    units=[world.units["maoming"]], buildings=["3", "5"], roles=["owner"]
                ),
                opens_at=tomorrow,
            ),
        )
        await session.commit()
        return created.id

    source_id = await world.db.run(source)
    csrf = await logged_in(client, world)
    done = await client.post(
        copy_page(source_id), data={"csrf_token": csrf, "unit": str(world.units["sinan"])}
    )
    assert done.status_code == 200, done.text
    assert (
        zh("Voters from %(units)s are left out: they are not in %(unit)s.")
        % {
            "units": "茂名居民区",
            "unit": "思南居民区",
        }
        in done.text
    )
    assert (
        zh(
            "The buildings %(buildings)s are left out: building numbers differ from area to "
            "area. Choose the buildings again if the copy needs them."
        )
        % {"buildings": "3、5"}
        in done.text
    )
    assert zh("The opening and closing times are left out: schedule the copy again.") in done.text


async def test_a_chosen_matter_of_the_target_unit(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    target = world.matters[world.practical_id]  # the street's matter
    done = await client.post(
        copy_page(world.firm_id),
        data={"csrf_token": csrf, "unit": str(world.units["ruijin2"]), "matter": str(target)},
    )
    assert done.status_code == 200, done.text
    assert await world.db.count(Ballot, Ballot.matter_id == target) == 2


async def test_bad_choices_are_named_beside_their_field_and_change_nothing(
    client: Client, world: World
) -> None:
    csrf = await logged_in(client, world)
    before = await world.db.snapshot()
    matters = await world.db.count(Matter)
    for data, field, message in (
        ({"unit": ""}, "unit", zh("Choose a unit from the list.")),
        ({"unit": "abc"}, "unit", zh("Choose a unit from the list.")),
        ({"unit": "99999"}, "unit", zh("Choose a unit from the list.")),
        (
            {"unit": str(world.units["sinan"]), "matter": "x"},
            "matter",
            zh("Choose a matter from the list."),
        ),
        (
            {"unit": str(world.units["sinan"]), "matter": str(world.matters[world.firm_id])},
            "matter",
            zh(
                "This matter belongs to another unit. Choose one of the matters of %(unit)s, or "
                "a new matter."
            )
            % {"unit": "思南居民区"},
        ),
    ):
        response = await client.post(copy_page(world.firm_id), data={"csrf_token": csrf, **data})
        assert response.status_code == 422, data
        assert f'<p class="field-error" id="{field}-error">{message}</p>' in response.text, data
        assert f'id="{field}" name="{field}" aria-invalid="true"' in response.text, data
    kept = await client.post(
        copy_page(world.firm_id),
        data={"csrf_token": csrf, "unit": str(world.units["sinan"]), "matter": "x"},
    )
    assert f'<option value="{world.units["sinan"]}" selected>' in kept.text  # the choice is kept
    no_csrf = await client.post(copy_page(world.firm_id), data={"unit": str(world.units["sinan"])})
    assert no_csrf.status_code == 403
    assert await world.db.snapshot() == before
    assert await world.db.count(Matter) == matters


async def test_units_outside_the_chairs_are_refused(client: Client, world: World) -> None:
    secret = await world.add_chair("sinan-chair", "area_chair", "sinan")
    csrf = await logged_in(client, world, "sinan-chair", secret)
    # A ballot of another area: the page itself is refused.
    refused = await client.get(copy_page(world.firm_id))
    assert refused.status_code == 403
    assert zh("You may only act within your own unit and the units under it.") in refused.text

    async def own(session: AsyncSession) -> int:
        matter = Matter(unit_id=world.units["sinan"], kind="hearing", title="思南听证")
        session.add(matter)
        await session.flush()
        created = await lifecycle.create_ballot(
            session,
            operator(),
            matter.id,
            lifecycle.BallotDraft(title="思南表决", questions=[single()]),
        )
        await session.commit()
        return created.id

    ballot_id = await world.db.run(own)
    page = await client.get(copy_page(ballot_id))
    assert page.status_code == 200
    unit_select = page.text.split('<select id="unit"')[1].split("</select>")[0]
    assert "茂名居民区" not in unit_select and "思南居民区" in unit_select  # only their own area
    before = await world.db.snapshot()
    outside = await client.post(
        copy_page(ballot_id), data={"csrf_token": csrf, "unit": str(world.units["maoming"])}
    )
    assert outside.status_code == 403
    message = zh("You may only act within your own unit and the units under it.")
    assert f'<p class="field-error" id="unit-error">{message}</p>' in outside.text
    assert await world.db.snapshot() == before
