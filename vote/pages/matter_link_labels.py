"""Words for how linked matters relate, for the console and the public record."""

from __future__ import annotations

from ballots.errors import N_
from vote.i18n import gettext_

LINK_KIND_LABELS = {
    "proposed": N_("proposed"),
    "selected": N_("selected"),
    "implements": N_("is carried out by"),
    "coordination": N_("needed a coordination meeting"),
    "evaluation": N_("was evaluated in"),
    "rectification": N_("needed a rectification"),
    "related": N_("is related to"),
}
"""How a matter relates to the one it links to: "this matter <phrase> that one"."""


def link_kind_label(kind: str) -> str:
    """The phrase for a link's kind, in the reader's language."""
    return gettext_(LINK_KIND_LABELS.get(kind, kind))
