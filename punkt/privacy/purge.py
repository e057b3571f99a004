"""The retention purge: for each data category declared by the areas
(:func:`punkt.core.processing.retention_category`), find the rows whose retention period
has ended and anonymise or delete them, in batches, each batch its own transaction.

``punkt purge --dry-run`` prints the report (per category: period, cut-off, count,
oldest) and changes nothing; ``punkt purge`` and the nightly job
``privacy.retention_purge`` purge. Every run is recorded (:class:`PurgeRun`) and audited.
Running twice purges nothing more: a purged row no longer matches its category."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from punkt.core.audit import audit_record
from punkt.core.processing import RETENTION, RetentionCategory, configured, period_of
from punkt.privacy.models import PurgeRun

BATCH = 500
#: Stop a category after this many batches in one run (the next night continues).
MAX_BATCHES = 200


def _oldest(qs: Any, field: str) -> str | None:
    value = qs.aggregate(oldest=Min(field))["oldest"]
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


def categories(codes: list[str] | None = None) -> list[RetentionCategory]:
    configured()  # a bad setting is an error before anything runs
    for category in RETENTION.values():
        period_of(category)
    if codes:
        unknown = set(codes) - set(RETENTION)
        if unknown:
            raise ValueError(f"Unknown categories {sorted(unknown)}; known: {sorted(RETENTION)}")
    return [c for code, c in sorted(RETENTION.items()) if not codes or code in codes]


def report_line(category: RetentionCategory, today: datetime.date) -> dict[str, Any]:
    period = period_of(category)
    cutoff = period.cutoff(today)
    qs = category.expired(cutoff)
    return {"code": category.code, "label": str(category.label), "rule": str(category.rule),
            "action": str(category.action), "period": period.describe(),
            "cutoff": cutoff.isoformat(), "count": qs.count(),
            "oldest": _oldest(qs, category.date_field), "purged": 0}


def run(*, dry_run: bool, actor_label: str = "retention purge", today: datetime.date | None
        = None, codes: list[str] | None = None, batch: int = BATCH) -> PurgeRun:
    """Report (``dry_run``) or purge every category; returns the recorded run."""
    today = today or timezone.localdate()
    chosen = categories(codes)
    record = PurgeRun.objects.create(dry_run=dry_run, actor_label=actor_label[:100])
    lines = []
    for category in chosen:
        line = report_line(category, today)
        if not dry_run and line["count"]:
            cutoff = datetime.date.fromisoformat(line["cutoff"])
            for _ in range(MAX_BATCHES):
                with transaction.atomic():
                    ids = list(category.expired(cutoff).order_by("pk")
                               .values_list("pk", flat=True)[:batch])
                    if not ids:
                        break
                    line["purged"] += category.purge(ids)
            audit_record(action="privacy.retention.purge", actor_label=actor_label,
                         message=category.code,
                         changes={"purged": [None, line["purged"]],
                                  "cutoff": [None, line["cutoff"]]})
        lines.append(line)
    PurgeRun.objects.filter(pk=record.pk).update(report=lines, finished_at=timezone.now())
    record.refresh_from_db()
    return record


def format_report(lines: list[dict[str, Any]], *, dry_run: bool) -> str:
    head = f"{'category':<22} {'period':<22} {'cut-off':<10} {'count':>8} {'oldest':<10}"
    if not dry_run:
        head += f" {'purged':>8}"
    out = [head, "-" * len(head)]
    for line in lines:
        row = (f"{line['code']:<22} {line['period']:<22} {line['cutoff']:<10} "
               f"{line['count']:>8} {line['oldest'] or '—':<10}")
        if not dry_run:
            row += f" {line['purged']:>8}"
        out.append(row)
    return "\n".join(out)
