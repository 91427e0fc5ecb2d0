"""Shared command-line handling of the experiment binaries (not library code)."""

import logging as std_logging
import pathlib
from collections.abc import Callable

import jax
from absl import flags
from absl import logging as absl_logging

COMPILATION_CACHE_HELP = (
  "Directory of JAX's persistent compilation cache; unset, the cache is off and every "
  "compile is cold."
)


def define_compilation_cache_flag() -> flags.FlagHolder:
  """--compilation_cache, for the binaries that time compilation (benchmark, solve_copy)."""
  return flags.DEFINE_string("compilation_cache", None, COMPILATION_CACHE_HELP)


def set_compilation_cache(directory: str | None) -> None:
  """Turns JAX's persistent compilation cache off (None) or points it at `directory`.

  The other binaries keep the cache `platform.setup()` sets up; the
  timing binaries report cold compiles unless asked for a cache. Call before
  the first compile.
  """
  if directory is None:
    jax.config.update("jax_enable_compilation_cache", False)
  else:
    jax.config.update("jax_compilation_cache_dir", directory)


def write_or_exit(
  write: Callable[..., list[pathlib.Path]], workdir, action: str, *args, **kwargs
) -> list[pathlib.Path]:
  """Returns `write(workdir, *args, **kwargs)`; its documented errors become a `SystemExit`.

  For command-line binaries: the message is one line, and Python prints a
  `SystemExit` message to stderr without a traceback.

  Args:
    write: `write_sweep` or `write_figures`.
    workdir: the training workdir.
    action: the verb for a missing checkpoint ("no checkpoint to <action> in workdir ...").
    *args, **kwargs: passed on to `write`.

  Raises:
    SystemExit: `write` raised FileNotFoundError (no config or checkpoint) or ValueError.
  """
  try:
    return write(workdir, *args, **kwargs)
  except FileNotFoundError as error:
    raise SystemExit(f"error: no checkpoint to {action} in workdir {workdir}: {error}") from None
  except ValueError as error:
    raise SystemExit(f"error: {error}") from None


class _HideCheckpointInfo(std_logging.Filter):
  """Drops orbax's INFO/DEBUG records (dozens per checkpoint); keeps its warnings."""

  def filter(self, record: std_logging.LogRecord) -> bool:
    return record.levelno >= std_logging.WARNING or "orbax" not in record.pathname


def quiet_checkpoint_logs() -> None:
  """Keeps the console to memnets' own progress lines while checkpoints are saved."""
  absl_logging.get_absl_handler().addFilter(_HideCheckpointInfo())
