"""@mentions in internal notes, for every area: ``@handle`` names a colleague who may read
the record; they get a notification linking to it.

A handle is the part of the colleague's e-mail address before the ``@`` (``anna.nowak``
for ``anna.nowak@firma.pl``) — unique enough inside one company, typed without diacritics
and shown under every note box. Only the candidates the area passes (those who may see
the record) can be mentioned: a mention never reveals a record to someone who cannot
open it, and an unknown handle is left as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from punkt.organization.models import Employee
from punkt.work.services import notify

MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9][A-Za-z0-9._+-]{0,63})")


def handle(employee: Employee) -> str:
    return employee.email.split("@", 1)[0].lower()


def mentioned(text: str, candidates: Iterable[Employee]) -> list[Employee]:
    """The candidates ``text`` mentions, in the order of their first mention."""
    by_handle = {handle(e): e for e in candidates if e.is_active}
    found: dict[int, Employee] = {}
    for match in MENTION.finditer(text or ""):
        employee = by_handle.get(match.group(1).rstrip(".").lower())
        if employee is not None:
            found.setdefault(employee.pk, employee)
    return list(found.values())


def notify_mentioned(*, text: str, candidates: Iterable[Employee], author: Employee | None,
                     title: Callable[[], str], url: str, key: str) -> list[Employee]:
    """Notify everyone ``text`` mentions (the author excepted), once per ``key``; returns
    who was notified."""
    told = [e for e in mentioned(text, candidates) if author is None or e.pk != author.pk]
    for employee in told:
        notify(recipient=employee, kind="mention", title=title, url=url,
               key=f"mention:{key}:{employee.pk}")
    return told
