"""The house's two import rules: the domain knows nothing of Discord, and no cog leans on another."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted((REPO / "cogs").glob("*.py")), ids=lambda p: p.name)
def test_a_cog_imports_no_other_cog(path: Path) -> None:
    others = {m for m in imported_modules(path) if m == "cogs" or m.startswith("cogs.")}
    assert not others, f"{path.name} imports {sorted(others)}: move what they share into bot/"


@pytest.mark.parametrize("path", sorted((REPO / "bot" / "domain").glob("*.py")), ids=lambda p: p.name)
def test_the_domain_imports_nothing_from_discord(path: Path) -> None:
    assert not {m for m in imported_modules(path) if m.split(".")[0] == "discord"}
