"""The experiments.generate_babi binary: it writes the release layout and never overwrites unasked."""

import pytest

from memnets.tasks import babi
from memnets.tasks.babi import generate


@pytest.fixture
def generate_babi(binaries):
  return lambda *flags: binaries.run("experiments.generate_babi", *flags)


def test_binary_refuses_to_overwrite_then_overwrites(tmp_path, generate_babi):
  existing = generate.file_path(tmp_path, "en", 15, "test")
  existing.parent.mkdir(parents=True)
  existing.write_text("sentinel", encoding="utf-8")
  args = [f"--out_dir={tmp_path}", "--tasks=15", "--sets=en", "--seed=1"]
  refused = generate_babi(*args)
  assert refused.returncode != 0
  assert str(existing) in refused.stderr
  assert existing.read_text(encoding="utf-8") == "sentinel"
  assert not generate.file_path(tmp_path, "en", 15, "train").exists()

  done = generate_babi(*args, "--overwrite")
  assert done.returncode == 0, done.stderr
  assert len(babi.parse(existing)) == generate.SPLIT_SIZES["en"]["test"]
  assert len(babi.parse(generate.file_path(tmp_path, "en", 15, "train"))) == 1000
