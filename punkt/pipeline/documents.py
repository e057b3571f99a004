"""The monthly pack as the page and the PDF show it: the stored figures (decimals as text)
turned into labelled rows. Every value is escaped (C22); the PDF fetches nothing (C23)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import override

from punkt.core.money import format_pln
from punkt.core.pdf import render_pdf
from punkt.organization.models import Branch
from punkt.pipeline import plans as P
from punkt.pipeline.models import MonthlyPack


def shown(measure: P.Measure, value: Any) -> str:
    if measure.money:
        return format_pln(Decimal(str(value)))
    return str(value)


def _percent(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def pack_view(figures: dict[str, Any]) -> dict[str, Any]:
    """Rows for the page and the PDF: the measures (plan, actual, percent), the employees
    (one row each, every measure), the goal line and the funnel with the stage names."""
    from punkt.pipeline.packs import stage_names

    measures = [{"measure": m, "plan": shown(m, figures["measures"][m.code]["plan"]),
                 "actual": shown(m, figures["measures"][m.code]["actual"]),
                 "percent": figures["measures"][m.code]["percent"],
                 "percent_text": _percent(figures["measures"][m.code]["percent"])}
                for m in P.MEASURES]
    employees = []
    for e in figures["employees"]:
        cells = [{"plan": shown(m, e["values"][m.code]["plan"]),
                  "actual": shown(m, e["values"][m.code]["actual"]),
                  "percent": _percent(e["values"][m.code]["percent"])} for m in P.MEASURES]
        employees.append({"id": e["id"], "name": e["name"] or _("(no employee recorded)"),
                          "cells": cells})
    names = stage_names()
    funnel = figures["funnel"]
    stages = [(names.get(k, k), n) for k, n in sorted(
        funnel.get("stages", {}).items(), key=lambda kv: list(names).index(kv[0])
        if kv[0] in names else 999)]
    return {"measures": measures, "employees": employees, "goal": figures["goal"],
            "funnel": funnel, "stages": stages,
            "won_amount": format_pln(Decimal(str(funnel["won_amount"]))),
            "win_rate": _percent(funnel["win_rate"]), "planned": figures.get("planned")}


def month_label(month: datetime.date) -> str:
    return date_format(month, "F Y")


def pack_html(branch: Branch, month: datetime.date, figures: dict[str, Any],
              kept: MonthlyPack | None) -> str:
    view = pack_view(figures)
    e = escape
    head = "".join(f"<th class=\"num\">{e(t)}</th>" for t in (_("Plan"), _("Done"),
                                                             _("Plan achieved")))
    measures = "".join(
        f"<tr><th>{e(r['measure'].label)}</th><td class=\"num\">{e(r['plan'])}</td>"
        f"<td class=\"num\">{e(r['actual'])}</td><td class=\"num\">{e(r['percent_text'])}"
        "</td></tr>" for r in view["measures"])
    people_head = "".join(f"<th class=\"num\">{e(m.label)}</th>" for m in P.MEASURES)
    people = "".join(
        f"<tr><td>{e(p['name'])}</td>" + "".join(
            f"<td class=\"num\">{e(c['actual'])} / {e(c['plan'])}<br>"
            f"<span class=\"muted\">{e(c['percent'])}</span></td>" for c in p["cells"])
        + "</tr>" for p in view["employees"])
    goal = view["goal"]
    goal_text = (_("New customers: %(this)d this month, %(last)d the month before; the goal "
                   "(+20 %%) is %(target)d — %(result)s.")
                 % {"this": goal["this"], "last": goal["last"], "target": goal["target"],
                    "result": _("met") if goal["met"] else _("not met")})
    f = view["funnel"]
    funnel = "".join(f"<tr><th>{e(k)}</th><td class=\"num\">{e(v)}</td></tr>" for k, v in [
        (_("Opportunities opened"), f["opened"]), (_("Sales won"), f["won"]),
        (_("Sales lost"), f["lost"]), (_("Win rate"), view["win_rate"]),
        (_("Amount won"), view["won_amount"])] + [
        (_("Reached the stage: %(stage)s") % {"stage": s}, n) for s, n in view["stages"]])
    when = (_("Prepared %(at)s") % {"at": timezone.localtime(kept.prepared_at)
                                    .strftime("%d.%m.%Y %H:%M")} if kept
            else _("Computed %(at)s (not stored)") % {
                "at": timezone.localtime().strftime("%d.%m.%Y %H:%M")})
    no_plan = "" if view["planned"] else (
        f"<p><strong>{e(_('No plan was set for this month.'))}</strong></p>")
    return (
        f"<html><body><h1>{e(_('Monthly pack'))}: {e(branch.name)} — "
        f"{e(month_label(month))}</h1><p class=\"muted\">{e(when)}</p>{no_plan}"
        f"<h2>{e(_('Plan and what was done'))}</h2><table><thead><tr><th></th>{head}</tr>"
        f"</thead><tbody>{measures}</tbody></table>"
        f"<h2>{e(_('The goal: 20 percent more new customers'))}</h2><p>{e(goal_text)}</p>"
        f"<h2>{e(_('Per employee (done / plan)'))}</h2><table><thead><tr>"
        f"<th>{e(_('Employee'))}</th>{people_head}</tr></thead><tbody>{people}</tbody></table>"
        f"<h2>{e(_('Sales funnel of the month'))}</h2><table><tbody>{funnel}</tbody></table>"
        "</body></html>")


def pack_pdf(branch: Branch, month: datetime.date, figures: dict[str, Any],
             kept: MonthlyPack | None) -> bytes:
    with override("pl"):
        return render_pdf(pack_html(branch, month, figures, kept))
