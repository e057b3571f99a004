"""Dependencies point one way: ``core`` ← ``organization`` ← ``customers`` ← the business
areas. An area imports only areas of a lower layer, and never another area's views.

A new area adds itself to LAYERS (``docs/adding-an-area.md``); analytics, when it comes,
sits above every area it reads and nothing imports it.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "punkt"

#: area → layer; an area may import areas of a strictly lower layer only.
LAYERS = {
    "core": 0,
    "organization": 1,
    "customers": 2, "materials": 2,
    "contracts": 3, "messaging": 3, "catalog": 3, "work": 3,
    "inventory": 4, "retention": 4, "cashdesk": 4, "webhooks": 4,
    "sales": 5, "servicedesk": 5, "campaigns": 5,
    "privacy": 6, "mailbox": 6, "webform": 6, "chat": 6, "complaints": 6, "loyalty": 6,
    "displays": 6,
    "pipeline": 7, "surveys": 7,
    "analytics": 8,
}


def _areas() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir()
                  if p.is_dir() and (p / "apps.py").exists())


def imports_of(path: pathlib.Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found += [(node.lineno, n) for n in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return [(line, name) for line, name in found if name.startswith("punkt.")]


def violations(area: str) -> list[str]:
    out = []
    for path in sorted((ROOT / area).rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for line, name in imports_of(path):
            parts = name.split(".")
            target = parts[1]
            if target == area or target not in LAYERS:
                continue
            where = f"{path.relative_to(ROOT.parent)}:{line}"
            if LAYERS[target] >= LAYERS[area]:
                out.append(f"{where} imports {name} (layer {LAYERS[target]} ≥ {LAYERS[area]})")
            elif len(parts) > 2 and parts[2] == "views":
                out.append(f"{where} imports another area's views: {name}")
    return sorted(set(out))


def test_every_area_has_a_layer() -> None:
    assert set(_areas()) - set(LAYERS) == set(), "add the new area to LAYERS"


@pytest.mark.parametrize("area", sorted(LAYERS))
def test_area_imports_only_lower_layers(area: str) -> None:
    assert violations(area) == []


def test_the_check_sees_an_upward_import(tmp_path: pathlib.Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("from punkt.organization.models import Branch\n")
    assert imports_of(sample) == [(1, "punkt.organization.models"),
                                  (1, "punkt.organization.models.Branch")]
