"""Disclosure templates: the structured items a chair fills in on a notice, per kind of notice.

The wording follows the source (/work/shared/seed/, the Luwan report on 三会一代理): for the
appraisal firm's selection "公开竞标资质条件，公开有关竞标企业资讯，公开工作程序"; during a
relocation "公开地段类别、补偿标准，公开房源情况及安置价、市场价，公开经办人职责", part of the
阳光动迁 "九公开" — here nine items a relocation notice discloses. Labels are message ids
(English, translated in the web layer); ``general`` has no fixed items, the chair adds their own.
"""

from __future__ import annotations

import msgspec

from ballots.errors import N_

CUSTOM_PREFIX = "custom-"
"""Keys of items a chair added to a ``general`` notice start with this."""


class TemplateItem(msgspec.Struct, frozen=True):
    """One fixed item of a template: its key and its label (a message id)."""

    key: str
    label: str


TEMPLATE_LABELS: dict[str, str] = {
    "general": N_("General notice (items of your own)"),
    "relocation": N_("Relocation: the nine disclosures (九公开)"),
    "selection": N_("Selection of a firm: qualifications, bidders, procedure"),
    "project": N_("Project: content, budget, builder, schedule, supervision"),
}

TEMPLATES: dict[str, tuple[TemplateItem, ...]] = {
    "general": (),
    "relocation": (
        TemplateItem("scope", N_("Relocation area and number of households")),
        TemplateItem("categories", N_("Location categories of the plots")),
        TemplateItem("compensation", N_("Compensation and resettlement policy and standards")),
        TemplateItem("housing", N_("Housing offered, resettlement prices and market prices")),
        TemplateItem("appraiser", N_("How the appraisal firm is chosen")),
        TemplateItem("procedure", N_("Working procedure")),
        TemplateItem("results", N_("Each household's resettlement result")),
        TemplateItem("staff", N_("Staff handling the relocation and their responsibilities")),
        TemplateItem("complaints", N_("Channels for complaints and supervision")),
    ),
    "selection": (
        TemplateItem("qualifications", N_("Qualifications required of bidders")),
        TemplateItem("bidders", N_("Information on the bidding firms")),
        TemplateItem("procedure", N_("Working procedure")),
    ),
    "project": (
        TemplateItem("content", N_("What the project is")),
        TemplateItem("budget", N_("Budget")),
        TemplateItem("builder", N_("Builder")),
        TemplateItem("schedule", N_("Construction period")),
        TemplateItem("supervision", N_("How the work is supervised")),
    ),
}


def template_items(template: str) -> tuple[TemplateItem, ...]:
    """The fixed items of ``template`` (none for an unknown one)."""
    return TEMPLATES.get(template, ())


def fixed_label(template: str, key: str) -> str | None:
    """The label (message id) of a fixed item of ``template``, or None when ``key`` is not one."""
    for item in template_items(template):
        if item.key == key:
            return item.label
    return None
