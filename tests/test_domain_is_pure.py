"""The domain package never imports streamlit: the rules run, and are tested, without a UI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = sorted((ROOT / "workshop").rglob("*.py"))
FORBIDDEN = ("streamlit",)


def imported_modules(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_the_domain_package_has_its_rooms() -> None:
    rooms = {p.parent.name for p in DOMAIN}
    assert rooms >= {
        "rules",
        "db",
        "services",
        "live",
        "access",
        "maps",
        "managers",
        "transfer",
        "render",
        "i18n",
    }


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_domain_module_imports_streamlit(path: Path) -> None:
    bad = [name for name in imported_modules(path) if name.split(".")[0] in FORBIDDEN]
    assert bad == []


def test_the_check_recognises_a_streamlit_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nif True:\n    import streamlit.components.v1 as c\n"
        "def f():\n    from streamlit import session_state\n",
        encoding="utf-8",
    )
    assert [n for n in imported_modules(sample) if n.split(".")[0] in FORBIDDEN] == [
        "streamlit.components.v1",
        "streamlit",
    ]


def test_importing_the_whole_domain_loads_no_streamlit() -> None:
    """Transitively too: a fresh interpreter imports every domain module, streamlit stays out."""
    modules = [".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for p in DOMAIN]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
