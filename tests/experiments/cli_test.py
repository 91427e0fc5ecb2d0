"""experiments/cli.py: console hygiene shared by the experiment binaries."""

import logging

from experiments import cli


def record(path, level):
  return logging.LogRecord("absl", level, path, 1, "message", None, None)


def test_checkpoint_info_logs_are_hidden_but_warnings_and_own_logs_kept():
  hide = cli._HideCheckpointInfo()
  assert not hide.filter(record("/x/orbax/checkpoint/checkpoint_manager.py", logging.INFO))
  assert hide.filter(record("/x/orbax/checkpoint/checkpoint_manager.py", logging.WARNING))
  assert hide.filter(record("/work/main/memnets/training/writers.py", logging.INFO))
