"""The neural stack, queue and deque (Grefenstette et al. 2015, §3) against plain numpy.

The references are the paper's equations transcribed in float64 numpy with
loops over the sums, on the paper's growing memory (a list that gains one
vector a step, two for the deque); the JAX functions run on the
preallocated memory in float64 too (`jax.enable_x64`).
"""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import test_util

from memnets.stacks import neural

M = 3


@pytest.fixture(autouse=True)
def x64():
  with jax.enable_x64(True):
    yield


stack_step = jax.jit(neural.stack_step)
queue_step = jax.jit(neural.queue_step)
deque_step = jax.jit(neural.deque_step)


def np_read(values, strengths, nearer):
  """r = Σ_i min(s_i, max(0, 1 − Σ_{j nearer the end} s_j)) v_i."""
  read = np.zeros(M)
  for i in range(len(strengths)):
    read += min(strengths[i], max(0.0, 1.0 - sum(strengths[j] for j in nearer(i)))) * values[i]
  return read


def np_pop(strengths, pop, nearer):
  """s_i ← max(0, s_i − max(0, u − Σ_{j nearer the end} s_j))."""
  return [
    max(0.0, s - max(0.0, pop - sum(strengths[j] for j in nearer(i))))
    for i, s in enumerate(strengths)
  ]


def above(strengths):
  return lambda i: range(i + 1, len(strengths))


def below(strengths):
  return lambda i: range(i)


def np_stack_step(values, strengths, value, push, pop, *, queue=False):
  """One step of the paper's stack (queue: pop and read at the bottom); lists bottom first."""
  end = below if queue else above
  strengths = np_pop(strengths, pop, end(strengths)) + [push]
  values = values + [np.asarray(value)]
  return values, strengths, np_read(values, strengths, end(strengths))


def np_deque_step(values, strengths, v_top, v_bot, d_top, u_top, d_bot, u_bot):
  """One step of the paper's deque: both pops on the old strengths, then both pushes."""
  strengths = [
    max(
      0.0,
      s - max(0.0, u_top - sum(strengths[i + 1 :])) - max(0.0, u_bot - sum(strengths[:i])),
    )
    for i, s in enumerate(strengths)
  ]
  strengths = [d_bot] + strengths + [d_top]
  values = [np.asarray(v_bot)] + values + [np.asarray(v_top)]
  top = np_read(values, strengths, above(strengths))
  return values, strengths, top, np_read(values, strengths, below(strengths))


def random_steps(seed, steps, strengths=lambda rng, n: rng.uniform(0.05, 0.95, n)):
  rng = np.random.default_rng(seed)
  return rng.normal(size=(steps, 2, M)), strengths(rng, (steps, 4))


def test_stack_reproduces_the_papers_worked_example_of_section_3_1():
  v = np.eye(M)
  memory = neural.init(4, M, jnp.float64)
  expected = [
    (v[0], 0.8, 0.0, 0.8 * v[0]),
    (v[1], 0.5, 0.1, 0.5 * v[0] + 0.5 * v[1]),
    (v[2], 0.9, 0.9, 0.1 * v[0] + 0.9 * v[2]),
  ]
  for value, push, pop, read in expected:
    memory, got = neural.stack_step(memory, value, push, pop)
    np.testing.assert_allclose(got, read, atol=1e-12)
  np.testing.assert_allclose(memory.strengths, [0.3, 0.0, 0.9, 0.0], atol=1e-12)
  assert int(memory.count) == 3


def test_prefix_sums_above_and_below_exclude_the_slot_itself():
  s = np.array([0.1, 0.2, 0.3, 0.4])
  np.testing.assert_allclose(neural.strength_below(s), [0.0, 0.1, 0.3, 0.6], atol=1e-12)
  np.testing.assert_allclose(neural.strength_above(s), [0.9, 0.7, 0.4, 0.0], atol=1e-12)


@pytest.mark.parametrize("kind", ["stack", "queue"])
@pytest.mark.parametrize("seed", range(3))
def test_stack_and_queue_match_the_papers_equations_on_random_strengths(kind, seed):
  steps = 8
  vs, ds = random_steps(seed, steps)
  step = stack_step if kind == "stack" else queue_step
  memory, values, strengths = neural.init(steps, M, jnp.float64), [], []
  for t in range(steps):
    memory, read = step(memory, vs[t, 0], ds[t, 0], ds[t, 1])
    values, strengths, expected = np_stack_step(
      values, strengths, vs[t, 0], ds[t, 0], ds[t, 1], queue=kind == "queue"
    )
    np.testing.assert_allclose(read, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(memory.strengths[: t + 1], strengths, rtol=1e-12, atol=1e-12)
  np.testing.assert_allclose(memory.values, np.stack(values), rtol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_deque_matches_the_papers_equations_on_random_strengths(seed):
  steps = 8
  vs, ds = random_steps(seed, steps)
  memory, values, strengths = neural.deque_init(steps, M, jnp.float64), [], []
  for t in range(steps):
    args = (vs[t, 0], vs[t, 1], ds[t, 0], ds[t, 1], ds[t, 2], ds[t, 3])
    memory, top, bottom = deque_step(memory, *args)
    values, strengths, expected_top, expected_bottom = np_deque_step(values, strengths, *args)
    np.testing.assert_allclose(top, expected_top, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(bottom, expected_bottom, rtol=1e-12, atol=1e-12)
    # The live region grows outwards from the middle slot.
    live = slice(steps - t - 1, steps + t + 1)
    np.testing.assert_allclose(memory.strengths[live], strengths, rtol=1e-12, atol=1e-12)
  np.testing.assert_allclose(memory.values, np.stack(values), rtol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_deque_pops_at_both_ends_at_once_equal_one_end_then_the_other(seed):
  rng = np.random.default_rng(seed)
  s = list(rng.uniform(0, 1, 6))
  u_top, u_bot = rng.uniform(0, 1.5, 2)
  together = np_deque_step([np.zeros(M)] * 6, s, np.zeros(M), np.zeros(M), 0, u_top, 0, u_bot)[1]
  one_by_one = np_pop(np_pop(s, u_top, above(s)), u_bot, below(s))
  np.testing.assert_allclose(together[1:-1], one_by_one, atol=1e-12)


@pytest.mark.parametrize("kind", ["stack", "queue", "deque"])
def test_a_read_takes_one_unit_of_strength_or_all_there_is(kind):
  steps = 6
  vs, ds = random_steps(7, steps)
  memory = (neural.deque_init if kind == "deque" else neural.init)(steps, M, jnp.float64)
  for t in range(steps):
    if kind == "deque":
      memory, *_ = deque_step(memory, vs[t, 0], vs[t, 1], *ds[t])
    else:
      memory, _ = (stack_step if kind == "stack" else queue_step)(memory, vs[t, 0], *ds[t, :2])
    s = memory.strengths
    assert np.all((np.asarray(s) >= 0) & (np.asarray(s) <= 1))
    for nearer in [neural.strength_above(s), neural.strength_below(s)]:
      total = neural.read_weights(s, nearer).sum()
      np.testing.assert_allclose(total, min(1.0, float(s.sum())), atol=1e-12)


def discrete_ops(seed, steps):
  """Random 0/1 push and pop strengths, pushes more likely than pops."""
  return random_steps(seed, steps, lambda rng, n: (rng.uniform(size=n) < 0.6).astype(float))


def top_or_zero(items, index):
  return items[index] if items else np.zeros(M)


@pytest.mark.parametrize("kind", ["stack", "queue"])
@pytest.mark.parametrize("seed", range(4))
def test_zero_one_strengths_make_a_discrete_stack_and_queue(kind, seed):
  steps = 16
  vs, ds = discrete_ops(seed, steps)
  step = stack_step if kind == "stack" else queue_step
  memory, items = neural.init(steps, M, jnp.float64), []
  for t in range(steps):
    push, pop = ds[t, 0], ds[t, 1]
    memory, read = step(memory, vs[t, 0], push, pop)
    if pop and items:
      items.pop(-1 if kind == "stack" else 0)
    if push:
      items.append(vs[t, 0])
    np.testing.assert_array_equal(read, top_or_zero(items, -1 if kind == "stack" else 0))
  assert float(memory.strengths.sum()) == len(items)


@pytest.mark.parametrize("seed", range(4))
def test_zero_one_strengths_make_a_discrete_deque(seed):
  steps = 16
  vs, ds = discrete_ops(seed, steps)
  memory, items = neural.deque_init(steps, M, jnp.float64), []
  for t in range(steps):
    push_top, pop_top, push_bottom, pop_bottom = ds[t]
    memory, top, bottom = deque_step(memory, vs[t, 0], vs[t, 1], *ds[t])
    if pop_top and items:
      items.pop()
    if pop_bottom and items:
      items.pop(0)
    if push_top:
      items.append(vs[t, 0])
    if push_bottom:
      items.insert(0, vs[t, 1])
    np.testing.assert_array_equal(top, top_or_zero(items, -1))
    np.testing.assert_array_equal(bottom, top_or_zero(items, 0))
  assert float(memory.strengths.sum()) == len(items)


def test_an_empty_memory_reads_zero_and_popping_it_does_nothing():
  memory, read = neural.stack_step(neural.init(3, M), jnp.ones(M), 0.0, 1.0)
  np.testing.assert_array_equal(read, np.zeros(M))
  np.testing.assert_array_equal(memory.strengths, np.zeros(3))
  _, top, bottom = neural.deque_step(neural.deque_init(2, M), *jnp.ones((2, M)), 0, 1, 0, 1)
  np.testing.assert_array_equal(top, np.zeros(M))
  np.testing.assert_array_equal(bottom, np.zeros(M))


def test_a_full_stack_drops_further_pushes_but_still_pops_and_reads():
  v = np.eye(5, M)
  memory = neural.init(3, M, jnp.float64)
  for t in range(5):
    memory, read = stack_step(memory, v[t], 1.0, 0.0)
  np.testing.assert_array_equal(memory.strengths, [1.0, 1.0, 1.0])
  np.testing.assert_array_equal(memory.values, v[:3])
  np.testing.assert_array_equal(read, v[2])  # the pushes of v4 and v5 were dropped
  assert int(memory.count) == 5
  memory, read = stack_step(memory, v[4], 1.0, 1.0)
  np.testing.assert_array_equal(memory.strengths, [1.0, 1.0, 0.0])
  np.testing.assert_array_equal(read, v[1])


def test_a_full_deque_drops_further_pushes_at_each_end():
  vs, _ = random_steps(0, 3)
  memory = neural.deque_init(2, M, jnp.float64)
  for t in range(3):
    memory, top, bottom = deque_step(memory, vs[t, 0], vs[t, 1], 1.0, 0.0, 1.0, 0.0)
  # Slots bottom first: the second and first bottom pushes, the first and second top ones.
  np.testing.assert_array_equal(memory.values, [vs[1, 1], vs[0, 1], vs[0, 0], vs[1, 0]])
  np.testing.assert_array_equal(memory.strengths, np.ones(4))
  np.testing.assert_array_equal(top, vs[1, 0])
  np.testing.assert_array_equal(bottom, vs[1, 1])


def run_all(kind, capacity, values, controls):
  """Runs `kind` over T steps (values [T, 2, M], controls [T, 4]): Σ reads · weights + Σ s."""
  memory = (neural.deque_init if kind == "deque" else neural.init)(capacity, M, values.dtype)
  weights = jnp.linspace(-1.0, 2.0, M, dtype=values.dtype)
  total = 0.0
  for t in range(values.shape[0]):
    if kind == "deque":
      memory, top, bottom = neural.deque_step(memory, values[t, 0], values[t, 1], *controls[t])
      total += (top - 2 * bottom) @ weights
    else:
      step = neural.stack_step if kind == "stack" else neural.queue_step
      memory, read = step(memory, values[t, 0], controls[t, 0], controls[t, 1])
      total += read @ weights
  return total + jnp.sum(memory.strengths * jnp.arange(memory.strengths.shape[0]))


@pytest.mark.parametrize("kind", ["stack", "queue", "deque"])
def test_gradients_match_finite_differences(kind):
  vs, ds = random_steps(11, 5)
  loss = jax.jit(lambda v, d: run_all(kind, 5, v, d))
  test_util.check_grads(loss, (vs, ds), order=1, modes=["fwd", "rev"], atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("kind", ["stack", "queue", "deque"])
@pytest.mark.parametrize(
  "case", ["zero strengths", "zero values", "exact ties", "saturated", "full"]
)
def test_gradients_are_finite_at_the_edges(kind, case):
  steps, capacity = 4, 4
  vs, _ = random_steps(3, steps)
  ds = {
    "zero strengths": np.zeros((steps, 4)),
    "zero values": np.full((steps, 4), 0.5),
    "exact ties": np.tile([0.5, 0.5, 0.5, 0.5], (steps, 1)),  # pops meet pushed strength exactly
    "saturated": np.ones((steps, 4)),
    "full": np.tile([1.0, 0.0, 1.0, 0.0], (steps, 1)),
  }[case]
  if case == "zero values":
    vs = np.zeros_like(vs)
  if case == "full":
    capacity = 2  # half the pushes are dropped
  value, grads = jax.value_and_grad(run_all, argnums=(2, 3))(kind, capacity, vs, ds)
  chex.assert_tree_all_finite((value, grads))
  if case == "full":  # a dropped push never reaches a read: its vectors get no gradient
    np.testing.assert_array_equal(grads[0][capacity:], np.zeros_like(vs[capacity:]))


def test_jit_and_vmap_over_a_batch_equal_one_example_at_a_time():
  batch, steps = 3, 4
  rng = np.random.default_rng(5)
  vs, ds = rng.normal(size=(batch, steps, 2, M)), rng.uniform(size=(batch, steps, 4))
  memory = jax.tree.map(lambda a: jnp.stack([a] * batch), neural.deque_init(steps, M, jnp.float64))
  batched = jax.jit(jax.vmap(neural.deque_step))
  for t in range(steps):
    memory, top, bottom = batched(memory, vs[:, t, 0], vs[:, t, 1], *ds[:, t].T)
  for b in range(batch):
    one = neural.deque_init(steps, M, jnp.float64)
    for t in range(steps):
      one, one_top, one_bottom = neural.deque_step(one, vs[b, t, 0], vs[b, t, 1], *ds[b, t])
    np.testing.assert_allclose(top[b], one_top, rtol=1e-12)
    np.testing.assert_allclose(bottom[b], one_bottom, rtol=1e-12)
    chex.assert_trees_all_close(jax.tree.map(lambda a, b=b: a[b], memory), one, rtol=1e-12)


def test_the_memory_keeps_its_dtypes_so_it_can_be_a_scan_carry():
  memory = neural.init(4, M)  # float32
  out, read = neural.stack_step(memory, np.ones(M, np.float64), np.float64(0.5), 0.25)
  assert out.values.dtype == out.strengths.dtype == jnp.float32 and read.dtype == jnp.float32
  assert out.count.dtype == jnp.int32

  def body(memory, x):
    return neural.queue_step(memory, x, 0.7, 0.3)

  final, reads = jax.lax.scan(body, memory, jnp.ones((5, M), jnp.float32))
  assert reads.shape == (5, M) and int(final.count) == 5


def test_bad_sizes_are_refused():
  with pytest.raises(ValueError, match="capacity and width must be >= 1"):
    neural.init(0, M)
