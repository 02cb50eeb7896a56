"""The library's packages and what they offer each other: each package of ``briefing`` lists in
``__all__`` every name another package imports from it, and nothing else crosses."""

import ast
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INITS = ROOT.glob("briefing/*/__init__.py")
PACKAGES = sorted(
    (p.parent.relative_to(ROOT).as_posix().replace("/", ".") for p in INITS),
    key=len,
    reverse=True,
)  # fmt: skip
CODE = ("briefing", "flows", "commands", "benchmarks")


def _package_of(module: str) -> str | None:
    return next((p for p in PACKAGES if module == p or module.startswith(p + ".")), None)


def crossings(path: Path, name: str | None = None) -> list[str]:
    """The names a module (named ``name``, else by its path) imports from another package of
    the library that the package does not list in its ``__all__``."""
    name = name or path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
    home = _package_of(name)
    unlisted = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or node.module is None:
            continue
        package = _package_of(node.module)
        if package is None or package == home:
            continue
        listed = set(getattr(importlib.import_module(package), "__all__", ()))
        unlisted += [
            f"{name}: {node.module}.{alias.name} is not in {package}.__all__"
            for alias in node.names
            if alias.name not in listed
        ]
    return unlisted


def test_no_module_imports_a_name_another_package_does_not_list() -> None:
    """Every import of another package's name is of a name in its ``__all__``."""
    found = [
        line
        for part in CODE
        for path in sorted((ROOT / part).rglob("*.py"))
        for line in crossings(path)
    ]
    assert [] == found


def test_the_check_sees_an_unlisted_name(tmp_path: Path) -> None:
    """The check itself: a module outside ``briefing.store`` importing a name the package does
    not list is reported."""
    module = tmp_path / "probe.py"
    module.write_text(
        "from briefing.store.memory import metadata\nfrom briefing.store import memory_at\n",
        encoding="utf-8",
    )
    assert [
        "flows.probe: briefing.store.memory.metadata is not in briefing.store.__all__"
    ] == crossings(module, "flows.probe")
    assert [] == crossings(module, "briefing.store.probe")  # within its own package
