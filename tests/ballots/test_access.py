"""Roles and unit scoping: who may do what, and where."""

from __future__ import annotations

import pytest

from ballots.access import Actor, can, operator, require
from ballots.errors import OutsideUnit, RoleNotAllowed


def chair(role: str, path: str = "/1/2/") -> Actor:
    return Actor(name="c", role=role, unit_path=path, chair_id=7)


def test_operator_may_do_everything_everywhere() -> None:
    actor = operator("cli")
    assert actor.is_operator
    for action in ("read", "manage_roll", "manage_ballots", "manage_units", "manage_chairs"):
        require(actor, action, "/9/9/9/")  # type: ignore[arg-type]


def test_role_actions() -> None:
    assert can(chair("district_admin"), "manage_chairs")
    assert not can(chair("street_chair"), "manage_chairs")
    assert can(chair("street_chair"), "manage_units")
    assert not can(chair("area_chair"), "manage_units")
    assert can(chair("area_chair"), "manage_ballots")
    assert can(chair("observer"), "read")
    assert not can(chair("observer"), "manage_ballots")
    assert not can(chair("made_up_role"), "read")


def test_observer_is_refused_by_role_before_scope() -> None:
    with pytest.raises(RoleNotAllowed) as caught:
        require(chair("observer"), "manage_ballots", "/1/2/3/")
    assert caught.value.params["role"] == "observer"
    assert caught.value.params["action"] == "manage ballots"
    assert (
        caught.value.detail == "Your role (Observer) may not manage ballots."
    )  # translated on pages


def test_chair_acts_in_own_subtree_only() -> None:
    area_chair = chair("area_chair", "/1/2/3/")
    require(area_chair, "manage_ballots", "/1/2/3/")
    require(area_chair, "manage_ballots", "/1/2/3/10/")
    with pytest.raises(OutsideUnit):
        require(area_chair, "manage_ballots", "/1/2/4/")
    with pytest.raises(OutsideUnit):
        require(area_chair, "manage_ballots", "/1/2/")  # the parent street


def test_path_prefix_does_not_leak_into_a_sibling_with_a_longer_id() -> None:
    with pytest.raises(OutsideUnit):
        require(chair("area_chair", "/1/2/"), "read", "/1/23/")
