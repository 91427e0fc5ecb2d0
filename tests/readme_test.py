"""The README's Python example runs as written."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_blocks_run(capsys):
  blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
  assert blocks, "README.md has no python example"
  for block in blocks:
    exec(compile(block, str(README), "exec"), {})
  assert "(4, 11, 8)" in capsys.readouterr().out
