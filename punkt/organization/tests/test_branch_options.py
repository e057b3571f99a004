"""The branch filter's options: escaped, the chosen one selected, cached per scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from punkt.customers import permissions as customer_perms
from punkt.organization.filters import branch_options
from punkt.organization.models import Branch

pytestmark = pytest.mark.django_db


def test_options_escape_names_and_mark_only_the_chosen_branch(world: Any) -> None:
    cache.clear()
    Branch.objects.filter(pk=world.b.pk).update(name='Oddział <b>"B"</b>')
    code = customer_perms.CUSTOMER_VIEW.code
    html = str(branch_options(world.admin, code, str(world.b.pk)))
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert html.count(" selected") == 1
    assert f'<option value="{world.b.pk}" selected>' in html
    # The cached options serve the next page with another choice, or none.
    again = str(branch_options(world.admin, code, str(world.a.pk)))
    assert f'<option value="{world.a.pk}" selected>' in again
    assert f'<option value="{world.b.pk}" selected>' not in again
    plain = str(branch_options(world.admin, code, "x1"))
    assert " selected" not in plain and plain.count("<option") == html.count("<option")


def test_a_manager_sees_only_their_branches(world: Any) -> None:
    cache.clear()
    html = str(branch_options(world.manager_a, customer_perms.CUSTOMER_VIEW.code, ""))
    assert f'value="{world.a.pk}"' in html and f'value="{world.b.pk}"' not in html
