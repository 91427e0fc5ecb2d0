"""Checkpoints (orbax-checkpoint) and the restore API for analysis code.

Layout of a workdir:
  config.json          the resolved config (`Config.to_dict()`)
  checkpoints/<step>/  orbax checkpoints of the stacked TrainState
  metrics.jsonl, tensorboard/, summary.json   (see writers.py and loop.py)

Half-written checkpoints are safe: orbax writes a checkpoint into
`checkpoints/<step>.orbax-checkpoint-tmp*` and renames it to `<step>` only once
every file is written, and `CheckpointManager` lists only finalised step
directories, so a process killed mid-save resumes from the previous checkpoint
(tests/training/checkpoints_test.py checks this with a fake unfinished directory).

Resume order: the latest finalised checkpoint in the workdir, else from scratch.

For analysis (length-generalisation sweeps, figures):

  restored = checkpoints.restore_latest(workdir)
  model = restored.model(seed_index=0)          # an nnx module, ready for unroll
  logits = step.forward(restored.graphdef, restored.seed_params(0), inputs)
"""

import json
import pathlib
from typing import Any, NamedTuple

import jax
import orbax.checkpoint as ocp
from flax import nnx

from memnets import tasks
from memnets.training import config as config_lib
from memnets.training import optimizers
from memnets.training import state as state_lib

CHECKPOINT_DIR = "checkpoints"
CONFIG_FILE = "config.json"


def config_path(workdir) -> pathlib.Path:
  return pathlib.Path(workdir) / CONFIG_FILE


def load_saved_config(workdir) -> dict[str, Any] | None:
  """The `config.json` of `workdir` as a dict, or None when there is none."""
  path = config_path(workdir)
  if not path.exists():
    return None
  return json.loads(path.read_text())


def save_config(workdir, config: config_lib.Config) -> None:
  config_path(workdir).write_text(json.dumps(config.to_dict(), indent=2, sort_keys=True) + "\n")


def manager(workdir, max_to_keep: int, create: bool = True) -> ocp.CheckpointManager:
  """A CheckpointManager on `workdir/checkpoints` keeping `max_to_keep` checkpoints."""
  options = ocp.CheckpointManagerOptions(max_to_keep=max_to_keep, create=create)
  return ocp.CheckpointManager(pathlib.Path(workdir).absolute() / CHECKPOINT_DIR, options=options)


def has_checkpoints(workdir) -> bool:
  """Whether `workdir` holds at least one finalised checkpoint (read-only check)."""
  directory = pathlib.Path(workdir) / CHECKPOINT_DIR
  if not directory.is_dir():
    return False
  return bool(ocp.CheckpointManager(directory.absolute()).all_steps())


def save(checkpoints: ocp.CheckpointManager, step: int, train_state: state_lib.TrainState) -> None:
  """Starts writing `train_state` as checkpoint `step` (asynchronous)."""
  checkpoints.save(step, args=ocp.args.StandardSave(train_state))


def abstract_state(
  config: config_lib.Config,
  task: tasks.Task,
  optimizer,
  sharding: jax.sharding.Sharding | None = None,
) -> state_lib.TrainState:
  """Shapes, dtypes and shardings of the stacked state (the restore target)."""
  shapes = jax.eval_shape(lambda: state_lib.init_stacked(config, task, optimizer))
  return jax.tree.map(lambda s: jax.ShapeDtypeStruct(s.shape, s.dtype, sharding=sharding), shapes)


def restore(
  checkpoints: ocp.CheckpointManager, step: int, target: state_lib.TrainState
) -> state_lib.TrainState:
  """Checkpoint `step` restored into the structure and shardings of `target`."""
  restored = checkpoints.restore(step, args=ocp.args.StandardRestore(target))
  return state_lib.TrainState(*restored) if not isinstance(restored, tuple) else restored


class Restored(NamedTuple):
  """The latest checkpoint of a workdir, ready for evaluation."""

  config: config_lib.Config
  task: tasks.Task
  graphdef: nnx.GraphDef
  params: Any  # nested dict of parameters, every leaf [K, ...] (K seeds)
  step: int

  def seed_params(self, seed_index: int = 0):
    """The parameters of one seed (leaves without the seed axis)."""
    return jax.tree.map(lambda leaf: leaf[seed_index], self.params)

  def model(self, seed_index: int = 0) -> nnx.Module:
    """The model of one seed, an nnx module (`cell.initial_state`, `cell(state, x)`)."""
    return nnx.merge(self.graphdef, self.seed_params(seed_index))


def restore_latest(workdir, step: int | None = None) -> Restored:
  """Restores the latest (or the given) checkpoint of `workdir` with its config.

  Raises:
    FileNotFoundError: no config.json or no checkpoint in `workdir`.
  """
  saved = load_saved_config(workdir)
  if saved is None:
    raise FileNotFoundError(f"{config_path(workdir)} does not exist")
  config = config_lib.from_mapping(saved)
  task = config_lib.build_task(config)
  optimizer = optimizers.make(config.optimizer)
  checkpoints = manager(workdir, config.train.max_to_keep, create=False)
  step = checkpoints.latest_step() if step is None else step
  if step is None:
    raise FileNotFoundError(f"no checkpoint in {pathlib.Path(workdir) / CHECKPOINT_DIR}")
  device = jax.sharding.SingleDeviceSharding(jax.devices()[0])
  restored = restore(checkpoints, step, abstract_state(config, task, optimizer, device))
  checkpoints.close()
  return Restored(
    config=config,
    task=task,
    graphdef=state_lib.graphdef(config, task),
    params=restored.params,
    step=int(step),
  )
