"""Branch scope has one way in: ``Model.objects.visible_to(user, permission)``.

Two checks that fail when code goes around it:
* every branch-owned model (a ``branch`` foreign key, or a declared ``branch_scope``) has a
  manager with ``visible_to``;
* no module outside ``punkt/core`` asks for a user's branch ids (``branches_for``) or
  filters by a list of branches by hand (``branch_id__in=…``, ``branch__in=…``) — a
  reviewer would have to check each such filter against the user's roles; ``visible_to``
  is checked once, here and by the isolation walk (C1).
"""

from __future__ import annotations

import ast
import pathlib

import pytest
from django.apps import apps

ROOT = pathlib.Path(__file__).resolve().parent.parent / "punkt"
#: Where the primitive itself lives.
PRIMITIVE = {ROOT / "core" / "access.py", ROOT / "core" / "scoping.py"}
FORBIDDEN_SUFFIXES = ("branch_id__in", "branch__in")


def _modules() -> list[pathlib.Path]:
    return sorted(p for p in ROOT.rglob("*.py")
                  if "tests" not in p.parts and "migrations" not in p.parts
                  and p not in PRIMITIVE)


def hand_written_scopes(path: pathlib.Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "branches_for":
            found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} calls branches_for()")
        for kw in node.keywords:
            if kw.arg and kw.arg.endswith(FORBIDDEN_SUFFIXES):
                found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} filters "
                             f"{kw.arg}=… by hand")
        for arg in node.args:  # Q(branch_id__in=…) is a call too; dict(**{...}) is not used
            if isinstance(arg, ast.Dict):
                for key in arg.keys:
                    if isinstance(key, ast.Constant) and str(key.value).endswith(
                            FORBIDDEN_SUFFIXES):
                        found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} filters "
                                     f"{key.value}=… by hand")
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_hand_written_branch_filter(path: pathlib.Path) -> None:
    assert hand_written_scopes(path) == []


def test_the_check_sees_a_hand_written_filter(tmp_path: pathlib.Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "allowed = access.branches_for('x')\n"
        "qs = Contract.objects.filter(branch_id__in=allowed)\n"
        "q = Q(sale__branch_id__in=allowed)\n")
    original = ROOT
    try:
        globals()["ROOT"] = tmp_path
        assert len(hand_written_scopes(sample)) == 3
    finally:
        globals()["ROOT"] = original


def _branch_owned_models() -> list[type]:
    from punkt.organization.models import Branch

    owned = []
    for model in apps.get_models():
        if not model.__module__.startswith("punkt."):
            continue
        declared = "branch_scope" in vars(model)
        fk = next((f for f in model._meta.get_fields()
                   if f.name == "branch" and getattr(f, "related_model", None) is Branch
                   and f.concrete), None)
        if declared or fk is not None or model is Branch:
            owned.append(model)
    return owned


@pytest.mark.parametrize("model", _branch_owned_models(), ids=lambda m: m._meta.label)
def test_branch_owned_model_has_visible_to(model: type) -> None:
    assert hasattr(model._default_manager, "visible_to"), (
        f"{model._meta.label} belongs to a branch: give it "
        "`objects = BranchScopedQuerySet.as_manager()` (punkt/core/scoping.py)")
