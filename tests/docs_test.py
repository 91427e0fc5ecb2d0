"""The README's Python example runs as written; every relative link in the docs resolves."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
README_MAX_LINES = 150


def test_readme_python_blocks_run(capsys):
  blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
  assert blocks, "README.md has no python example"
  for block in blocks:
    exec(compile(block, str(README), "exec"), {})
  assert "(4, 11, 8)" in capsys.readouterr().out


def test_every_relative_link_resolves():
  assert {"design.md", "performance.md", "results.md"} <= {path.name for path in DOCS}
  broken = []
  for doc in DOCS:
    for target in LINK.findall(doc.read_text()):
      if re.match(r"[a-z]+://", target) or target.startswith("#"):
        continue
      if not (doc.parent / target.split("#")[0]).exists():
        broken.append(f"{doc.relative_to(ROOT)}: {target}")
  assert not broken, broken


def test_readme_is_short():
  assert len(README.read_text().splitlines()) <= README_MAX_LINES
