"""DNCCell and its memory step: the interface, the Methods' order, gradients, edge cases."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from helpers import gradients
from jax import test_util

from experiments.configs import dnc_copy
from memnets import DNCCell, models, training, unroll
from memnets.dnc import access
from memnets.dnc import cell as dnc

I, O = 5, 4
SIZES = dict(controller_size=12, memory_size=8, word_size=6, num_read_heads=2)


def small_cell(**overrides):
  return DNCCell(I, O, **{**SIZES, **overrides}, rngs=nnx.Rngs(0))


@pytest.mark.parametrize("b,t,n,m,r", [(1, 1, 4, 2, 1), (2, 5, 16, 6, 1), (3, 4, 8, 4, 4)])
@pytest.mark.parametrize("controller", ["lstm", "feedforward"])
def test_shapes(b, t, n, m, r, controller):
  cell = DNCCell(I, O, controller=controller, controller_size=8, memory_size=n, word_size=m,
                 num_read_heads=r, rngs=nnx.Rngs(0))  # fmt: skip
  state, ys = unroll(cell, jnp.ones((b, t, I)))
  assert ys.shape == (b, t, O)
  chex.assert_shape(
    [state.memory, state.usage, state.link, state.read_weights, state.reads],
    [(b, n, m), (b, n), (b, n, n), (b, r, n), (b, r, m)],
  )


def test_a_deep_controller_feeds_every_layers_output_to_the_interface():
  cell = small_cell(controller_layers=3)
  hidden = 3 * cell.controller.layers[0].output_size
  assert cell.controller.output_size == hidden
  assert cell.interface.in_features == hidden
  assert cell.output.in_features == hidden + cell.num_read_heads * cell.word_size
  _, ys = unroll(cell, jnp.ones((2, 3, I)))
  assert ys.shape == (2, 3, O) and bool(jnp.isfinite(ys).all())


def test_the_registry_builds_a_dnc_with_the_papers_default_sizes():
  cell = models.build("dnc", I, O, rngs=nnx.Rngs(0))
  assert isinstance(cell, DNCCell)
  assert (cell.memory_size, cell.word_size, cell.num_read_heads) == (256, 64, 4)


def test_bad_configuration_names_the_field():
  with pytest.raises(ValueError, match="num_read_heads must be >= 1"):
    small_cell(num_read_heads=0)
  with pytest.raises(ValueError, match="controller: unknown 'tape'"):
    small_cell(controller="tape")
  with pytest.raises(ValueError, match="output_clip must be >= 0"):
    small_cell(output_clip=-1.0)


def test_interface_splits_the_vector_and_applies_the_papers_activations():
  r, m = 3, 4
  raw = jax.random.normal(jax.random.key(0), (access.interface_size(r, m),)) * 5
  xi = access.interface(raw, r, m)
  assert access.interface_size(r, m) == r * m + 3 * m + 5 * r + 3
  np.testing.assert_allclose(xi.read_keys, raw[: r * m].reshape(r, m))  # keys unconstrained
  assert jnp.all(xi.read_strengths >= 1) and xi.write_strength >= 1  # oneplus
  for gate in [xi.erase, xi.free_gates, xi.allocation_gate, xi.write_gate]:
    assert jnp.all((gate >= 0) & (gate <= 1))
  np.testing.assert_allclose(xi.read_modes.sum(-1), np.ones(r), rtol=1e-6)
  with pytest.raises(ValueError, match="expected 42 numbers, got 41"):
    access.interface(raw[:-1], r, m)


def gates(**values):
  """An interface for N = 4, M = 2, R = 1 with the given fields, neutral elsewhere."""
  fields = dict(
    read_keys=jnp.zeros((1, 2)),
    read_strengths=jnp.ones(1),
    write_key=jnp.zeros(2),
    write_strength=jnp.array(1.0),
    erase=jnp.zeros(2),
    write_vector=jnp.array([1.0, 2.0]),
    free_gates=jnp.zeros(1),
    allocation_gate=jnp.array(1.0),
    write_gate=jnp.array(1.0),
    read_modes=jnp.array([[0.0, 1.0, 0.0]]),
  )
  return access.Interface(**{**fields, **values})


def test_allocated_writes_fill_free_slots_in_order_and_reads_see_this_steps_write():
  mem = access.initial_memory(4, 2, 1)
  written = []
  for step in range(3):
    vector = jnp.array([[1.0, 0.0], [0.0, 2.0], [-3.0, 0.0]][step])  # distinct directions
    out = access.step(
      mem, gates(write_vector=vector, read_keys=vector[None], read_strengths=jnp.array([100.0]))
    )
    mem = out.memory
    written.append(int(jnp.argmax(mem.write_weights)))
    # The read addresses the memory after the write: it finds this step's vector.
    np.testing.assert_allclose(out.reads[0], vector, atol=1e-3)
  assert written == [0, 1, 2]
  # Usage lags one step: it counts the writes before this step's (slots 0 and 1).
  np.testing.assert_allclose(mem.usage, [1.0, 1.0, 0.0, 0.0], atol=1e-6)


def test_usage_counts_the_previous_steps_write_and_free_gates_release_read_slots():
  mem = access.initial_memory(4, 2, 1)
  mem = access.step(mem, gates()).memory  # writes slot 0
  assert mem.usage[0] == 0  # the usage of a step sees the previous step's write
  mem = mem._replace(read_weights=jnp.eye(4)[None, 0])  # a read of slot 0
  kept = access.step(mem, gates(write_gate=jnp.array(0.0))).memory
  freed = access.step(mem, gates(write_gate=jnp.array(0.0), free_gates=jnp.ones(1))).memory
  np.testing.assert_allclose(kept.usage[0], 1.0)
  np.testing.assert_allclose(freed.usage[0], 0.0)


def test_forward_read_mode_follows_the_order_of_writes():
  mem = access.initial_memory(4, 2, 1)
  for step in range(3):
    mem = access.step(mem, gates(write_vector=jnp.array([float(step + 1), 0.0]))).memory
  mem = mem._replace(read_weights=jnp.eye(4)[None, 0])
  forward = gates(write_gate=jnp.array(0.0), read_modes=jnp.array([[0.0, 0.0, 1.0]]))
  out = access.step(mem, forward)
  np.testing.assert_allclose(out.memory.read_weights[0], np.eye(4)[1], atol=1e-6)
  np.testing.assert_allclose(out.reads[0], [2.0, 0.0], atol=1e-6)


def test_unroll_equals_a_python_loop_over_the_step():
  cell = small_cell()
  xs = jax.random.normal(jax.random.key(1), (3, 6, I))
  # Distinct usages: from the empty memory, the free slots' usages tie and then
  # differ by rounding alone, and the allocation's sort may order them either
  # way under scan and eagerly.
  usage = jnp.broadcast_to(jnp.linspace(0.05, 0.6, SIZES["memory_size"]), (3, SIZES["memory_size"]))
  start = cell.initial_state(3)._replace(usage=usage)
  final, ys = unroll(cell, xs, start)
  state = start
  for t in range(xs.shape[1]):
    state, y = cell(state, xs[:, t])
    np.testing.assert_allclose(ys[:, t], y, rtol=1e-5, atol=1e-6)
  chex.assert_trees_all_close(final, state, rtol=1e-5, atol=1e-6)


def test_trace_reports_every_steps_internals_consistent_with_the_states():
  cell = small_cell()
  xs = jax.random.normal(jax.random.key(2), (2, 5, I))
  seen = cell.trace(xs)
  run = unroll(cell, xs, return_states=True)
  np.testing.assert_allclose(seen["logits"], run.ys, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(seen["usage"], run.states.usage, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(seen["read_weights"], run.states.read_weights, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(seen["link"], run.state.link, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(seen["read_modes"].sum(-1), np.ones((2, 5, 2)), rtol=1e-5)
  chex.assert_shape([seen["free_gates"], seen["allocation_gate"]], [(2, 5, 2), (2, 5)])


def test_output_clip_bounds_the_logits():
  cell = small_cell(output_clip=0.5)
  _, ys = unroll(cell, 100 * jnp.ones((2, 3, I)))
  assert float(jnp.max(jnp.abs(ys))) <= 0.5


def test_controller_clip_bounds_the_controller_output_seen_by_the_interface(monkeypatch):
  cell = small_cell(controller="rnn", controller_clip=0.25)
  seen = []
  call = nnx.Linear.__call__

  def spy(self, x):
    if self is cell.interface:
      seen.append(x)
    return call(self, x)

  monkeypatch.setattr(nnx.Linear, "__call__", spy)
  cell(cell.initial_state(2), 100 * jnp.ones((2, I)))
  assert seen and float(jnp.max(jnp.abs(seen[0]))) <= 0.25


def test_two_dnc_steps_gradients_match_finite_differences():
  with jax.enable_x64(True):
    cell = DNCCell(3, 2, controller_size=4, memory_size=5, word_size=3, num_read_heads=2,
                   rngs=nnx.Rngs(0))  # fmt: skip
    graphdef, params = nnx.split(cell, nnx.Param)
    params = jax.tree.map(lambda p: p.astype(jnp.float64), params)
    x = jax.random.normal(jax.random.key(1), (2, 3), jnp.float64)

    def loss(params, x):
      c = nnx.merge(graphdef, params)
      state = jax.tree.map(lambda a: a.astype(jnp.float64), c.initial_state(2))
      for _ in range(3):
        state, y = c(state, x)
      return jnp.sum(y**2) + jnp.sum(state.memory**2) + jnp.sum(state.link)

    test_util.check_grads(jax.jit(loss), (params, x), order=1, modes=["rev"], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("inputs", gradients.INPUTS)
def test_gradients_finite_from_the_empty_memory(inputs):
  """All-zero memory, usage and weightings at the start; saturated gates with huge inputs."""
  gradients.assert_finite_from_the_start(small_cell(), inputs)


def test_state_is_a_named_tuple_and_starts_empty():
  state = small_cell().initial_state(2)
  assert isinstance(state, dnc.DNCState)
  for leaf in [state.memory, state.usage, state.link, state.read_weights, state.reads]:
    assert not np.any(np.asarray(leaf))


# reverse_string: input and output phases (the regular tasks score one step; configs_test covers dnc_chomsky)
@pytest.mark.parametrize("task", ["reverse_string"])
def test_the_dnc_trains_on_chomsky_tasks_through_the_registry(task, tmp_path):
  config = dnc_copy.get_config("smoke")
  config.task.name = task
  config.task.kwargs = {}
  config.train.steps = 2
  config.train.eval_every = 0
  summary = training.train_and_evaluate(config, tmp_path)
  assert summary["step"] == 2 and np.isfinite(summary["loss/mean"])
