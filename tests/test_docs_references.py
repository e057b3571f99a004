"""Every capability (R…) and check (C…) code the repository cites is defined in docs/.

Comments, docstrings, test names and documents cite codes such as ``R4.2`` or ``C10``.
Each must have its heading in ``docs/capabilities.md`` (R codes) or ``docs/checks.md``
(C codes), so a reader can look it up inside the repository. The two catalogues and the
guide to adding an area name files and tests; those must exist too, so the documents
cannot drift away from the code.
"""

from __future__ import annotations

import ast
import pathlib
import re
from collections.abc import Iterable

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCANNED = [ROOT / "punkt", ROOT / "tests", ROOT / "bench", ROOT / "docs", ROOT / "README.md"]
SUFFIXES = {".py", ".md", ".html", ".txt"}
#: Translations repeat the sources; static files are vendored or binary.
SKIPPED_DIRS = {"locale", "static", "__pycache__"}
CAPABILITIES = ROOT / "docs" / "capabilities.md"
CHECKS = ROOT / "docs" / "checks.md"
GUIDES = [CAPABILITIES, CHECKS, ROOT / "docs" / "adding-an-area.md"]

#: A cited code: ``R`` + one or two numbers joined by a dot, or ``C`` + one or two digits,
#: standing on its own. Not a citation: part of a longer word or number (``ABC10``,
#: ``R4.2.1``), an attribute or a name being assigned (``VatRate.R23``, ``R23 = "23"``),
#: URL-encoded bytes (``%C5%82``) or a colour (``#C12``).
CITATION = re.compile(
    r"(?<![\w.%#])(R[0-9]{1,2}(?:\.[0-9]{1,2})?|C[0-9]{1,2})(?![\w%]|\.[0-9]|\s*=)")
#: A definition: a heading that starts with the code and a dash (``### R4.2 — …``).
DEFINITION = re.compile(r"^#{2,4}\s+(R[0-9]{1,2}(?:\.[0-9]{1,2})?|C[0-9]{1,2})\s+—\s+\S",
                        re.MULTILINE)
#: A repository path in backticks, optionally with a test (``tests/x.py::test_y``).
PATH = re.compile(r"`((?:punkt|tests|bench|docs|scripts)/[^`\s]+)`")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def scanned_files(roots: Iterable[pathlib.Path]) -> list[pathlib.Path]:
    found = []
    for root in roots:
        candidates = [root] if root.is_file() else root.rglob("*")
        for path in candidates:
            if (path.is_file() and path.suffix in SUFFIXES
                    and not SKIPPED_DIRS.intersection(path.parts)):
                found.append(path)
    return sorted(found)


def citations(paths: Iterable[pathlib.Path]) -> list[tuple[str, str]]:
    """(``file:line``, code) for every code cited in ``paths``."""
    cited = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for match in CITATION.finditer(line):
                where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
                cited.append((f"{where}:{number}", match.group(1)))
    return cited


def definitions(path: pathlib.Path) -> list[str]:
    return DEFINITION.findall(path.read_text(encoding="utf-8"))


def undefined(cited: list[tuple[str, str]], defined: set[str]) -> list[str]:
    return [f"{where}: {code}" for where, code in cited if code not in defined]


def missing_references(doc: pathlib.Path, root: pathlib.Path = ROOT) -> list[str]:
    """Paths and test node ids ``doc`` names in backticks that do not exist under
    ``root``. Placeholders (``punkt/<area>/…``) and globs are not references."""
    text = FENCE.sub("", doc.read_text(encoding="utf-8"))
    missing = []
    for reference in PATH.findall(text):
        if any(c in reference for c in "<>{}*…"):
            continue
        file_part, _sep, test = reference.partition("::")
        target = root / file_part.rstrip("/")
        if not target.exists() or (test and test not in _functions(target)):
            missing.append(reference)
    return missing


def _functions(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _defined() -> set[str]:
    return set(definitions(CAPABILITIES)) | set(definitions(CHECKS))


def test_every_cited_code_is_defined_in_docs() -> None:
    cited = citations(scanned_files(SCANNED))
    assert cited, "the scan found no citation at all: is the pattern broken?"
    missing = undefined(cited, _defined())
    assert not missing, ("cited but not defined — add a heading to docs/capabilities.md "
                         "(R) or docs/checks.md (C), or fix the code:\n" + "\n".join(missing))


def test_catalogues_define_every_code_once_in_the_right_file() -> None:
    r_codes, c_codes = definitions(CAPABILITIES), definitions(CHECKS)
    assert all(code.startswith("R") for code in r_codes), "only R codes in capabilities.md"
    assert all(code.startswith("C") for code in c_codes), "only C codes in checks.md"
    for codes in (r_codes, c_codes):
        twice = sorted({code for code in codes if codes.count(code) > 1})
        assert not twice, f"defined twice: {twice}"
    assert {f"R{n}" for n in range(1, 17)} <= set(r_codes), "every capability R1–R16"
    assert {f"C{n}" for n in range(1, 31)} <= set(c_codes), "every check C1–C30"


def test_files_and_tests_named_in_the_docs_exist() -> None:
    missing = {doc.name: missing_references(doc) for doc in GUIDES}
    assert not any(missing.values()), f"named in docs but not in the repository: {missing}"


def test_the_checks_catch_what_they_should(tmp_path: pathlib.Path) -> None:
    unknown = "C" + "99"
    sample = tmp_path / "sample.py"
    sample.write_text(
        f'"""Payments post once (C5); the contract (R4.2–R4.4); see {unknown}."""\n'
        'VAT = VatRate.R23\n'
        'R8 = "8", "8%"\n'
        'NAME = "Cennik%20%C5%82%C4%85cza"\n'
        'COLOUR = "#C12"\n'
        'CLASS = "ABC10 and R4.2.1 are not codes"\n', encoding="utf-8")
    cited = citations([sample])
    assert [code for _where, code in cited] == ["C5", "R4.2", "R4.4", unknown]
    assert undefined(cited, _defined()) == [f"{sample}:1: {unknown}"]

    doc = tmp_path / "guide.md"
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_real.py").write_text("def test_there() -> None: ...\n")
    doc.write_text("`tests/test_real.py::test_there` `tests/test_real.py::test_gone`\n"
                   "`tests/test_gone.py` `punkt/<area>/apps.py`\n"
                   "```\n`tests/in_a_code_block.py`\n```\n", encoding="utf-8")
    assert missing_references(doc, root=tmp_path) == ["tests/test_real.py::test_gone",
                                                      "tests/test_gone.py"]
