"""Every third-party module the code imports is declared in a requirements file."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL = {"analytics", "pages", "tests", "benchmarks", "app"}


def _imports(paths: list[Path]) -> set[str]:
    """Top-level module names imported anywhere in these files."""
    names: set[str] = set()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - LOCAL - set(sys.stdlib_module_names)


def _declared(*files: str) -> set[str]:
    """Normalised distribution names listed in requirements files (following -r)."""
    out: set[str] = set()
    for name in files:
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            line = line.split("#")[0].strip()
            if not line:
                continue
            if line.startswith("-r"):
                out |= _declared(line[2:].strip())
                continue
            out.add(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return out


def _undeclared(modules: set[str], declared: set[str]) -> set[str]:
    dists = packages_distributions()
    missing = set()
    for mod in modules:
        names = {d.lower().replace("_", "-") for d in dists.get(mod, [mod])}
        if not names & declared:
            missing.add(f"{mod} ({', '.join(sorted(names))})")
    return missing


def test_runtime_imports_are_in_requirements_txt() -> None:
    files = [ROOT / "app.py", *ROOT.glob("analytics/**/*.py"), *ROOT.glob("pages/*.py")]
    assert _undeclared(_imports(files), _declared("requirements.txt")) == set()


def test_test_imports_are_in_requirements_dev_txt() -> None:
    files = [*ROOT.glob("tests/**/*.py"), *ROOT.glob("benchmarks/*.py")]
    assert _undeclared(_imports(files), _declared("requirements-dev.txt")) == set()


def test_the_check_catches_a_missing_module() -> None:
    assert _undeclared({"sklearn"}, {"pandas"}) == {"sklearn (scikit-learn)"}
