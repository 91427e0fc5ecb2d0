"""The code base's house rules: files one can read in a sitting, imports that point down."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
MAX_LINES = 400
SOURCES = sorted([*(ROOT / "memnets").rglob("*.py"), *(ROOT / "experiments").rglob("*.py")])


def _imported_modules(path: pathlib.Path) -> set[str]:
  modules = set()
  for node in ast.walk(ast.parse(path.read_text())):
    if isinstance(node, ast.Import):
      modules |= {alias.name for alias in node.names}
    elif isinstance(node, ast.ImportFrom) and node.module:
      modules |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
  return modules


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_source_file_is_over_400_lines(path):
  assert len(path.read_text().splitlines()) <= MAX_LINES


def test_the_library_never_imports_experiments_and_tasks_import_no_models():
  for path in (ROOT / "memnets").rglob("*.py"):
    imported = _imported_modules(path)
    assert not any(m.split(".")[0] == "experiments" for m in imported), path
    if "tasks" in path.relative_to(ROOT).parts:
      forbidden = ("memnets.ntm", "memnets.recurrent", "memnets.models", "memnets.training")
      assert not any(m.startswith(forbidden) for m in imported), path


def test_pure_equations_do_not_import_flax():
  for name in ("addressing.py", "memory.py", "fused.py"):
    imported = _imported_modules(ROOT / "memnets" / "ntm" / name)
    assert not any(m.split(".")[0] == "flax" for m in imported), name


def test_every_slow_test_listed_exists():
  """tests/slow.txt names test functions that are there (a renamed test would run in neither tier)."""
  lines = (ROOT / "tests" / "slow.txt").read_text().splitlines()
  for node in (line for line in lines if line.strip() and not line.startswith("#")):
    path, name = node.split("::")
    source = ROOT / "tests" / path
    assert source.is_file(), node
    assert f"def {name.split('[')[0]}(" in source.read_text(), node
