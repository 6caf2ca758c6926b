"""README.md stays true: its rules table is generated from rules/, its commands exist."""

from __future__ import annotations

import importlib.util

from helpers import REPO


def _tool():
    spec = importlib.util.spec_from_file_location("rules_table", REPO / "tools" / "rules_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rules_table_is_up_to_date() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert _tool().render(readme) == readme, "run: python tools/rules_table.py"


def test_readme_names_the_two_commands_ci_runs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install . && startlint check examples/service" in readme
    assert "pip install -e '.[test]' && pytest" in readme
    assert "pip install -e '.[test]'" in ci and "pytest" in ci
