"""The organisation, roster and confirmation flows own no transaction: they only flush.

The request, the command or the job commits. The one exception is the confirmation's jobs
module: a job commits per batch (through portal.jobs.commit_progress) and records its own
end when a command runs it in place.
"""

import ast
from pathlib import Path

PORTAL = Path(__file__).parents[2] / "portal"
PACKAGES = ("organisation", "roster", "confirmation")


def _modules():
    for package in PACKAGES:
        yield from sorted((PORTAL / package).rglob("*.py"))


def _calls(path: Path, name: str) -> int:
    return sum(1 for node in ast.walk(ast.parse(path.read_text()))
               if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
               and node.func.attr == name)


def test_no_commit_but_the_jobs_own_end():
    commits = {f"{path.parent.name}/{path.name}": _calls(path, "commit") for path in _modules()}
    assert {name: count for name, count in commits.items() if count} == {
        "confirmation/jobs.py": 1}


def test_no_rollback_in_a_service():
    """Refusals roll back in the view (portal.errors.show_refusal), not in the service."""
    rollbacks = {f"{path.parent.name}/{path.name}": _calls(path, "rollback")
                 for path in _modules() if path.name not in ("jobs.py", "views.py", "cli.py")}
    assert {name: count for name, count in rollbacks.items() if count} == {}


def test_every_module_is_small_and_says_what_it_is_for():
    for path in _modules():
        lines = path.read_text().count("\n")
        assert lines < 400, f"{path}: {lines} lines"
        assert ast.get_docstring(ast.parse(path.read_text())), f"{path}: no docstring"


def test_services_import_no_forms():
    """Labels come from the labels modules; a form class is the views' business."""
    for path in _modules():
        if path.name in ("views.py", "forms.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.endswith(".forms"), f"{path}: imports {node.module}"
