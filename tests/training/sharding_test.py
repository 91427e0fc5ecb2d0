"""Tests of memnets.training.sharding: 4 CPU devices give the loss curve of one device."""

import json
import re

import jax
import numpy as np
import pytest

from experiments.configs import lstm_copy
from memnets import training
from memnets.training import sharding

DEVICES = 4
RUNS = {"batch_parallel": 1, "seed_parallel": DEVICES}  # run name -> num_seeds

SCRIPT = f"""
import sys
import jax
from experiments.configs import lstm_copy
from memnets import training
from memnets.training import sharding
assert jax.device_count() == {DEVICES}, jax.devices()
assert not sharding.layout(1).seed_parallel and sharding.layout({DEVICES}).seed_parallel
# Given batch sizes, the most devices that split them (or the seeds) evenly.
assert sharding.layout(1, (6, 12)).mesh.devices.size == 3
assert sharding.layout(1, (1,)).mesh.devices.size == 1
assert sharding.layout(2, (1,)).seed_parallel and sharding.layout(2, (1,)).mesh.devices.size == 2
for name, seeds in {RUNS!r}.items():
  config = lstm_copy.get_config("smoke")
  config.num_seeds = seeds
  training.train_and_evaluate(config, sys.argv[1] + "/" + name)

# The NTM with its batch split over the devices: the loss and gradient of a
# batch equal those without the split, and the compiled gradient sums over
# devices after the scans, never inside them (its text is checked by the test).
import jax.numpy as jnp
import numpy as np
from experiments.configs import ntm_copy
from memnets.training import config as config_lib, optimizers, state as state_lib, step as step_lib
config = config_lib.from_mapping(ntm_copy.get_config("smoke"))
layout = sharding.training_layout(config.train)
assert sharding.per_device_split(layout.batch) == (
  {DEVICES}, jax.sharding.NamedSharding(layout.mesh, jax.sharding.PartitionSpec("data"))
)
assert sharding.per_device_split(sharding.layout({DEVICES}, (4,)).batch) == (1, None)
task = config_lib.build_task(config)
optimizer = optimizers.make(config.optimizer)
graphdef = state_lib.graphdef(config, task)
split = step_lib.Steps(config, task, graphdef, optimizer, batch_sharding=layout.batch)
whole = step_lib.Steps(config, task, graphdef, optimizer)
state = state_lib.jit_init(config, task, optimizer, layout.state)(split.seeds)
params = state_lib.unstack(state, 0).params
batch = split.sample_train(split.seeds[0], jnp.zeros((), jnp.int32))
def loss_and_grad(steps):
  def loss_and_grad_of(p, b):
    b = jax.lax.with_sharding_constraint(b, sharding.batch_only(layout))  # as the train step
    return jax.value_and_grad(lambda q: steps._loss(q, b, 0, jax.random.key(0))[0])(p)
  return jax.jit(loss_and_grad_of)
program = loss_and_grad(split).lower(params, batch).compile()
split_leaves = jax.tree.leaves(program(params, batch))
for a, b in zip(split_leaves, jax.tree.leaves(loss_and_grad(whole)(params, batch))):
  np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
with open(sys.argv[1] + "/ntm_grad.hlo", "w") as stream:
  stream.write(program.as_text())
"""


_HEADER = re.compile(r"^(ENTRY\s+)?%?([\w.\-]+)\s.*\{\s*$")
_CALLEES = re.compile(
  r"\b(body|condition|calls|to_apply|branch_computations)=(\{[^}]*\}|%?[\w.\-]+)"
)
_ALL_REDUCE = re.compile(r"\ball-reduce(-start)?\(")


def _computations(text: str) -> tuple[dict[str, list[str]], str]:
  """Instruction lines of each computation by name, and the entry computation's name."""
  computations, entry, name = {}, None, None
  for line in text.splitlines():
    header = _HEADER.match(line)
    if header and not line.startswith(" "):
      name = header.group(2)
      computations[name] = []
      if header.group(1):
        entry = name
    elif name is not None:
      computations[name].append(line)
  if entry is None:
    raise ValueError("no ENTRY computation in the program text")
  return computations, entry


def all_reduce_loop_depths(text: str) -> list[int]:
  """For every all-reduce of an optimised HLO module's text, the number of while loops around it."""
  computations, entry = _computations(text)
  depth = {entry: 0}
  pending = [entry]
  while pending:
    name = pending.pop()
    for line in computations[name]:
      loop = 1 if re.search(r"\bwhile\(", line) else 0
      for kind, callees in _CALLEES.findall(line):
        for callee in re.findall(r"[\w.\-]+", callees):
          inner = depth[name] + (loop if kind in ("body", "condition") else 0)
          if callee in computations and inner > depth.get(callee, -1):
            depth[callee] = inner
            pending.append(callee)
  return [
    depth[name]
    for name, lines in computations.items()
    if name in depth
    for line in lines
    if _ALL_REDUCE.search(line)
  ]


def _losses(workdir):
  rows = [json.loads(line) for line in (workdir / "metrics.jsonl").read_text().splitlines()]
  return np.array([row["loss"] for row in rows if "loss" in row])


def test_layout_on_one_device():
  layout = sharding.layout(3)
  assert not layout.seed_parallel
  assert layout.mesh.devices.size == jax.device_count()


def test_usable_device_count():
  assert sharding.usable_device_count(1, (32, 64), 4) == 4
  assert sharding.usable_device_count(1, (6, 12), 4) == 3
  assert sharding.usable_device_count(1, (32, 6), 4) == 2  # every batch must split
  assert sharding.usable_device_count(4, (1, 1), 4) == 4  # one seed per device
  assert sharding.usable_device_count(3, (5,), 4) == 3
  assert sharding.usable_device_count(1, (7,), 4) == 1
  assert sharding.usable_device_count(8, (8,), 1) == 1


def test_four_devices_match_one_device(tmp_path, binaries):
  flags = f"--xla_force_host_platform_device_count={DEVICES} --xla_backend_optimization_level=0"
  (tmp_path / "multi").mkdir()
  (tmp_path / "single").mkdir()
  result = binaries.python("-c", SCRIPT, str(tmp_path / "multi"), XLA_FLAGS=flags)
  assert result.returncode == 0, result.stderr[-3000:]
  for name, seeds in RUNS.items():
    config = lstm_copy.get_config("smoke")
    config.num_seeds = seeds
    training.train_and_evaluate(config, tmp_path / "single" / name)
    multi, single = _losses(tmp_path / "multi" / name), _losses(tmp_path / "single" / name)
    assert multi.shape == single.shape and multi.size >= 3 * seeds
    np.testing.assert_allclose(multi, single, rtol=1e-5, atol=1e-6)
  # The NTM's gradient is summed over devices once, after the backward scan
  # (outside every loop), not at every time step inside it (depth 1).
  depths = all_reduce_loop_depths((tmp_path / "multi" / "ntm_grad.hlo").read_text())
  assert depths and max(depths) == 0, depths


HLO = """
HloModule m

%add (a: f32[], b: f32[]) -> f32[] {
  ROOT %s = f32[] add(%a, %b)
}

%inner_body (p: (s32[], f32[4])) -> (s32[], f32[4]) {
  %r = f32[4] all-reduce(%x), to_apply=%add
}

%inner_cond (p: (s32[], f32[4])) -> pred[] {
  ROOT %c = pred[] constant(true)
}

%outer_body (p: (s32[], f32[4])) -> (s32[], f32[4]) {
  %w = (s32[], f32[4]) while(%p), condition=%inner_cond, body=%inner_body
  %r = f32[4] all-reduce(%y), to_apply=%add
}

ENTRY %main (p: f32[4]) -> f32[4] {
  %w = (s32[], f32[4]) while(%t), condition=%inner_cond, body=%outer_body
  %r = f32[4] all-reduce(%z), to_apply=%add
}
"""


def test_all_reduce_loop_depths_counts_the_loops_around_each_all_reduce():
  assert sorted(all_reduce_loop_depths(HLO)) == [0, 1, 2]
  with pytest.raises(ValueError, match="no ENTRY"):
    all_reduce_loop_depths(HLO.replace("ENTRY ", ""))
