"""Who is acting, and what their role lets them do within their unit subtree."""

from __future__ import annotations

from typing import Literal

import msgspec

from ballots.errors import OutsideUnit, RoleNotAllowed

Action = Literal["read", "manage_roll", "manage_ballots", "manage_units", "manage_chairs"]

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "district_admin": frozenset(
        {"read", "manage_roll", "manage_ballots", "manage_units", "manage_chairs"}
    ),
    "street_chair": frozenset({"read", "manage_roll", "manage_ballots", "manage_units"}),
    "area_chair": frozenset({"read", "manage_roll", "manage_ballots"}),
    "observer": frozenset({"read"}),
}


class Actor(msgspec.Struct, frozen=True):
    """The person behind a request: a chair (with id, role and unit path) or the operator CLI.

    ``unit_path`` is the chair's unit path (``/1/4/``); the operator has role ``operator``
    and may do everything everywhere. ``read_only`` is set for a read-scoped API token (the web
    layer then allows only GET and HEAD); ``session_id`` is the login session the request's
    token is or was made from. ``password_change_due`` marks a login session of a chair who
    must first choose their own password (the web layer then allows only that).
    """

    name: str
    role: str
    unit_path: str = "/"
    chair_id: int | None = None
    source: str = ""
    read_only: bool = False
    session_id: int | None = None
    password_change_due: bool = False

    @property
    def is_operator(self) -> bool:
        return self.role == "operator"


def operator(source: str = "cli") -> Actor:
    """The operator acting from the command line on the server itself."""
    return Actor(name=f"operator ({source})", role="operator", source=source)


def can(actor: Actor, action: Action) -> bool:
    """True when the actor's role allows ``action`` (anywhere in their subtree)."""
    return actor.is_operator or action in ROLE_ACTIONS.get(actor.role, frozenset())


def require(actor: Actor, action: Action, unit_path: str) -> None:
    """Raise unless ``actor`` may do ``action`` on something in the unit at ``unit_path``."""
    if actor.is_operator:
        return
    if not can(actor, action):
        raise RoleNotAllowed(role=actor.role, action=action)
    if not unit_path.startswith(actor.unit_path):
        raise OutsideUnit()
