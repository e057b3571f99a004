"""Where a new customer heard of us: a campaign code typed at registration (R10.3).

The customer registry knows no campaigns; the campaigns area, a higher layer, registers
itself here with :func:`provides_referrals`. ``check`` validates a code at a branch before
anything is saved (``ValidationFailed`` on ``campaign_code``) and returns what ``record``
needs; ``record`` links the saved customer in the same transaction."""

from __future__ import annotations

from typing import Any, Protocol

from django.utils.translation import gettext as _

from punkt.core.errors import ValidationFailed

FIELD = "campaign_code"
MAX_LENGTH = 12


class Referrals(Protocol):
    def check(self, branch_id: int, code: str) -> Any: ...

    def record(self, found: Any, customer: Any, actor: Any) -> None: ...


_source: Referrals | None = None


def provides_referrals(source: Referrals) -> Referrals:
    global _source
    _source = source
    return source


def check(branch_id: int, code: Any) -> tuple[str, Any] | None:
    """``None`` for an empty code; else the normalised code and what the source found."""
    text = "".join(str(code or "").split()).upper()
    if not text:
        return None
    if len(text) > MAX_LENGTH or _source is None:
        raise ValidationFailed("invalid", _("No campaign with this code is running at this "
                                            "branch."), field=FIELD)
    return text, _source.check(branch_id, text)


def record(found: tuple[str, Any] | None, customer: Any, actor: Any) -> None:
    if found is not None and _source is not None:
        _source.record(found[1], customer, actor)




def campaign_for(branch_id: int, code: Any) -> tuple[str, int] | None:
    """A campaign code typed on a sale, an offer or a contract: ``None`` when empty, else
    the normalised code and the campaign's id — refused on ``campaign_code`` (nothing
    saved) unless the campaign runs at the branch, as at registration."""
    found = check(branch_id, code)
    if found is None:
        return None
    return found[0], int(found[1].pk)
