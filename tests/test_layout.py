"""The library's shape: settings import nothing of the pipeline, the library never imports
Prefect, and each package's public names are listed and real."""

import importlib
import subprocess
import sys

import pytest

PACKAGES = [
    "briefing.sources",
    "briefing.extract",
    "briefing.compose",
    "briefing.render",
    "briefing.deliver",
    "briefing.store",
    "briefing.publish",
    "briefing.edition",
]


def modules_after_import(module: str) -> set[str]:
    """The project's and Prefect's modules a fresh interpreter holds after importing one."""
    code = (
        f"import sys, {module}; "
        "print('\\n'.join(m for m in sys.modules if m.split('.')[0] in ('briefing', 'prefect')))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return set(output.split())


@pytest.mark.slow
def test_settings_import_nothing_of_the_pipeline() -> None:
    """Reading the settings loads only the settings, the address rule they validate with, the
    error they raise (briefing.errors, which imports nothing) and the redaction their secrets
    are registered with (briefing.redact, which imports nothing of the pipeline either)."""
    expected = {
        "briefing",
        "briefing.addresses",
        "briefing.errors",
        "briefing.redact",
        "briefing.settings",
    }
    assert expected == modules_after_import("briefing.settings")


@pytest.mark.slow
def test_the_whole_library_runs_without_prefect() -> None:
    """Importing every stage of the library imports no Prefect module."""
    loaded = modules_after_import("briefing.edition, briefing.progress, briefing.evaluate")
    assert set() == {name for name in loaded if name.startswith("prefect")}


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_lists_its_public_names(package: str) -> None:
    """Every name in a package's ``__all__`` exists, is public, and is listed once (``ruff``
    keeps the lists sorted, constants first: RUF022)."""
    module = importlib.import_module(package)
    names = list(module.__all__)
    assert len(set(names)) == len(names)
    assert [] == [name for name in names if name.startswith("_") or not hasattr(module, name)]
