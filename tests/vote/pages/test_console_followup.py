"""Console: a matter's follow-up page — milestones with progress and rectification items on any
matter (here the practical project), status moves, changes and progress; overdue ones marked;
the public record shows milestones with their progress; bad input is named beside its field and
saves nothing; another unit's chair is refused."""

from __future__ import annotations

import re
from datetime import timedelta

from ballots.followup.actions import beijing_today
from ballots.models import Action, AuditEntry
from tests.vote.helpers import Client, World, csrf_of, page_login, zh

FIELDS = {"organisation_id": "", "note": ""}


def action_id(page: str, title: str) -> str:
    """The id of the action listed under this title (the demo lists its own actions too)."""
    found = re.search(r'id="action-(\d+)">\s*<strong>' + re.escape(title) + "</strong>", page)
    assert found, title
    return found.group(1)


async def logged_in(client: Client, world: World) -> str:
    response = await page_login(client, "chair", world.info.totp_secret)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/organisations")).text)


async def test_milestones_and_rectifications_on_a_practical_project(
    client: Client, world: World
) -> None:
    csrf = await logged_in(client, world)
    matter_id = world.matters[world.practical_id]
    console = await client.get(f"/chair/matters/{matter_id}")
    assert f'href="/chair/matters/{matter_id}/followup"' in console.text
    base = f"/chair/matters/{matter_id}/followup"
    empty = await client.get(base)
    assert empty.status_code == 200
    before = await world.db.count(Action)
    for data, field in (
        ({"kind": "milestone", "title": " ", "owner": "物业", "due_on": ""}, "title"),
        ({"kind": "milestone", "title": "完成招标", "owner": "", "due_on": ""}, "owner"),
        ({"kind": "milestone", "title": "完成招标", "owner": "物业", "due_on": "下周"}, "due_on"),
        ({"kind": "agreement", "title": "完成招标", "owner": "物业", "due_on": ""}, "kind"),
        (
            {
                "kind": "milestone",
                "title": "完成招标",
                "organisation_id": "999999",
                "owner": "",
                "due_on": "",
            },
            "organisation_id",
        ),
    ):
        refused = await client.post(f"{base}/actions", data={"csrf_token": csrf} | FIELDS | data)
        assert refused.status_code == 422 and f'id="{field}-error"' in refused.text, field
    assert await world.db.count(Action) == before

    yesterday = (beijing_today() - timedelta(days=2)).isoformat()
    added = await client.post(
        f"{base}/actions",
        data={"csrf_token": csrf}
        | FIELDS
        | {"kind": "milestone", "title": "完成招标", "owner": "居委会", "due_on": yesterday},
    )
    assert added.status_code == 200 and zh("The follow-up action is set.") in added.text
    assert zh("Overdue by %(n)s days") % {"n": 2} in added.text and "overdue" in added.text
    rectified = await client.post(
        f"{base}/actions",
        data={"csrf_token": csrf}
        | FIELDS
        | {"kind": "rectification", "title": "补种草坪", "owner": "绿化公司", "due_on": ""},
    )
    assert zh("Rectification") in rectified.text
    milestone_id = action_id(rectified.text, "完成招标")
    progress_url = f"{base}/actions/{milestone_id}/progress"
    field = f"progress-{milestone_id}"
    progressed = await world.db.count(AuditEntry, AuditEntry.action == "action.progress")
    for typed in ("150", "一半", ""):
        bad = await client.post(progress_url, data={"csrf_token": csrf, "progress": typed})
        assert bad.status_code == 422 and f'id="{field}-error"' in bad.text
    assert zh("A whole number from 0 to 100, please.") in bad.text
    assert await world.db.count(AuditEntry, AuditEntry.action == "action.progress") == progressed
    moved = await client.post(progress_url, data={"csrf_token": csrf, "progress": "60%"})
    assert moved.status_code == 200 and zh("%(n)s%% done") % {"n": 60} in moved.text
    assert zh("In progress") in moved.text

    edit_url = f"{base}/actions/{milestone_id}/edit"
    edit = await client.get(edit_url)
    assert edit.status_code == 200 and f'action="{edit_url}"' in edit.text
    tomorrow = (beijing_today() + timedelta(days=1)).isoformat()
    wrong = await client.post(
        edit_url,
        data={"csrf_token": csrf}
        | FIELDS
        | {"kind": "", "title": "完成招标", "owner": "", "due_on": tomorrow},
    )
    assert wrong.status_code == 422 and 'id="owner-error"' in wrong.text
    saved = await client.post(
        edit_url,
        data={"csrf_token": csrf}
        | FIELDS
        | {"kind": "", "title": "完成招标", "owner": "居委会", "due_on": tomorrow},
    )
    assert saved.status_code == 200 and zh("Saved.") in saved.text
    assert zh("Overdue by %(n)s days") % {"n": 2} not in saved.text

    status_url = f"{base}/actions/{milestone_id}/status"
    stuck = await client.post(status_url, data={"csrf_token": csrf, "status": "in_progress"})
    assert stuck.status_code == 422
    public = await client.get(f"/matters/{matter_id}")
    assert zh("Implementation milestones") in public.text and "完成招标" in public.text
    assert 'value="60"' in public.text and "补种草坪" in public.text
    done = await client.post(status_url, data={"csrf_token": csrf, "status": "done"})
    assert done.status_code == 200 and zh("The status is changed.") in done.text
    story = await client.get(f"/matters/{matter_id}/record")
    assert (
        zh("“%(title)s”: %(progress)s%% done") % {"title": "完成招标", "progress": 60} in story.text
    )


async def test_another_units_chair_is_refused(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    matter_id = world.matters[world.practical_id]
    base = f"/chair/matters/{matter_id}/followup"
    before = await world.db.count(Action)
    added = await client.post(
        f"{base}/actions",
        data={"csrf_token": csrf}
        | FIELDS
        | {"kind": "milestone", "title": "完成招标", "owner": "居委会", "due_on": ""},
    )
    added_id = action_id(added.text, "完成招标")
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    await client.post("/chair/logout", data={"csrf_token": csrf})
    await page_login(client, "sinan_chair", secret)
    other = csrf_of((await client.get("/chair/organisations")).text)
    assert (await client.get(base)).status_code == 403
    posted = await client.post(
        f"{base}/actions",
        data={"csrf_token": other}
        | FIELDS
        | {"kind": "rectification", "title": "x", "owner": "y", "due_on": ""},
    )
    assert posted.status_code == 403
    progress = await client.post(
        f"{base}/actions/{added_id}/progress",
        data={"csrf_token": other, "progress": "50"},
    )
    assert progress.status_code == 403
    assert await world.db.count(Action) == before + 1
    assert await world.db.count(Action, Action.id == int(added_id), Action.progress == 0) == 1
