"""NTMCell: shapes over many configurations, head parameterisation, gradients."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from jax import test_util

from memnets import NTMCell, unroll
from memnets.ntm import addressing, memory
from memnets.ntm import cell as ntm

I, O = 5, 4


@pytest.mark.parametrize(
  "b,t,n,m,r,w",
  [
    (1, 1, 4, 2, 1, 1),
    (2, 5, 16, 6, 1, 1),
    (3, 4, 8, 4, 2, 1),
    (2, 3, 8, 4, 3, 2),
    (2, 3, 8, 4, 1, 0),
  ],
)
@pytest.mark.parametrize("controller", ["lstm", "feedforward"])
def test_shapes(b, t, n, m, r, w, controller):
  cell = NTMCell(
      I, O, controller=controller, controller_size=6, memory_size=n, word_size=m,
      num_read_heads=r, num_write_heads=w, rngs=nnx.Rngs(0),
  )  # fmt: skip
  state, ys = unroll(cell, jnp.ones((b, t, I)))
  chex.assert_shape(ys, (b, t, O))
  chex.assert_shape(state.memory, (b, m, n))  # word-major
  chex.assert_shape(state.read_weights, (b, r, n))
  chex.assert_shape(state.write_weights, (b, w, n))
  chex.assert_shape(state.reads, (b, r, m))
  np.testing.assert_allclose(state.read_weights.sum(-1), 1.0, rtol=1e-5)
  chex.assert_tree_all_finite(state)


@pytest.mark.parametrize("controller", ["gru", "rnn"])
def test_other_controllers_and_stacked_controller(controller):
  cell = NTMCell(I, O, controller=controller, controller_layers=2, controller_size=6,
                 memory_size=8, word_size=4, rngs=nnx.Rngs(0))  # fmt: skip
  _, ys = unroll(cell, jnp.ones((2, 3, I)))
  chex.assert_shape(ys, (2, 3, O))


@pytest.mark.parametrize("init", ["constant", "learned", "random"])
def test_memory_initialisation_schemes(init):
  cell = NTMCell(I, O, memory_size=8, word_size=4, memory_init=init, rngs=nnx.Rngs(0))
  mem = cell.initial_state(2).memory
  chex.assert_shape(mem, (2, 4, 8))
  np.testing.assert_array_equal(mem[0], mem[1])
  if init == "constant":
    np.testing.assert_allclose(mem, memory.CONSTANT_INIT_VALUE)
  else:
    assert float(jnp.std(mem)) > 0.1
  trainable = nnx.state(cell, nnx.Param)
  assert ("initial_memory" in trainable) == (init == "learned")


def test_bad_configuration_names_the_field():
  with pytest.raises(ValueError, match="controller"):
    NTMCell(I, O, controller="transformer", rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="memory_init"):
    NTMCell(I, O, memory_init="zeros", rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="shift_width"):
    NTMCell(I, O, shift_width=2, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="memory_size"):
    NTMCell(I, O, memory_size=0, rngs=nnx.Rngs(0))


def test_one_step_matches_a_hand_written_step():
  """The cell's step equals controller → heads → write (eqs. 3–4) → read (eq. 2)."""
  cell = NTMCell(I, O, controller_size=6, memory_size=8, word_size=4, memory_init="random",
                 rngs=nnx.Rngs(3))  # fmt: skip
  state = cell.initial_state(1)
  x = jax.random.normal(jax.random.key(0), (1, I))
  new_state, y = cell(state, x)

  _, h = cell.controller(state.controller, jnp.concatenate([x, state.reads[:, 0]], -1))
  raw = cell.heads(h)[0]
  read_raw, write_raw = raw[: 4 + 3 + 3], raw[4 + 3 + 3 :]

  def head(p):
    return dict(key=jnp.tanh(p[:4]), beta=jax.nn.softplus(p[4]), gate=jax.nn.sigmoid(p[5]),
                shift=jax.nn.softmax(p[6:9]), gamma=1 + jax.nn.softplus(p[9]))  # fmt: skip

  wh, rh = head(write_raw), head(read_raw)
  mem0 = state.memory[0].T  # the state is word-major [M, N]
  ww = addressing.address(mem0, state.write_weights[0, 0], **{k: wh[k] for k in wh})
  mem1 = memory.write(mem0, ww, jax.nn.sigmoid(write_raw[10:14]), jnp.tanh(write_raw[14:18]))
  rw = addressing.address(mem1, state.read_weights[0, 0], **{k: rh[k] for k in rh})
  read = memory.read(mem1, rw)
  np.testing.assert_allclose(new_state.memory[0].T, mem1, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(new_state.read_weights[0, 0], rw, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(new_state.reads[0, 0], read, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(y[0], cell.output(jnp.concatenate([h, read[None]], -1))[0], rtol=1e-5)


def test_controller_clip_bounds_the_controller_output():
  cell = NTMCell(I, O, controller="feedforward", controller_size=6, controller_clip=0.1,
                 memory_size=8, word_size=4, rngs=nnx.Rngs(0))  # fmt: skip
  state = cell.initial_state(2)
  x = 3.0 * jax.random.normal(jax.random.key(0), (2, I))
  new_state, y = cell(state, x)
  _, h = cell.controller(state.controller, jnp.concatenate([x, state.reads[:, 0]], -1))
  assert float(jnp.max(jnp.abs(h))) > 0.5  # the clip matters for this input
  clipped = jnp.clip(h, -0.1, 0.1)
  expected = cell.output(jnp.concatenate([clipped, new_state.reads[:, 0]], -1))
  np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


def _large_weights_cell(**clips):
  """An NTM whose head and output layers are scaled up so that unclipped values exceed 50."""
  cell = NTMCell(I, O, controller_size=6, memory_size=8, word_size=4, rngs=nnx.Rngs(0), **clips)
  cell.heads.kernel[...] = 500.0 * cell.heads.kernel[...]
  cell.output.kernel[...] = 500.0 * cell.output.kernel[...]
  return cell


def test_output_clip_bounds_the_logits():
  xs = 3.0 * jax.random.normal(jax.random.key(1), (2, 5, I))
  _, free = unroll(_large_weights_cell(), xs)
  _, clipped = unroll(_large_weights_cell(output_clip=20.0), xs)
  assert float(jnp.max(jnp.abs(free))) > 50.0  # the clip matters here
  assert float(jnp.max(jnp.abs(clipped))) <= 20.0
  np.testing.assert_allclose(clipped, jnp.clip(free, -20.0, 20.0), rtol=1e-5, atol=1e-5)


def test_head_clip_bounds_the_raw_head_parameters(monkeypatch):
  seen = []
  access = ntm.fused_access.access

  def spy(memory_, write_prev, read_prev, raw_write, raw_read, **kwargs):
    seen.append((raw_write, raw_read))
    return access(memory_, write_prev, read_prev, raw_write, raw_read, **kwargs)

  monkeypatch.setattr(ntm.fused_access, "access", spy)
  x = 3.0 * jax.random.normal(jax.random.key(2), (2, I))
  for clip, check in [(None, lambda m: m > 50.0), (20.0, lambda m: m <= 20.0)]:
    cell = _large_weights_cell(head_clip=clip)
    _, y = cell(cell.initial_state(2), x)
    assert check(max(float(jnp.max(jnp.abs(raw))) for raw in seen[-1]))
    assert bool(jnp.all(jnp.isfinite(y)))


def test_clips_must_not_be_negative():
  with pytest.raises(ValueError, match="head_clip must be >= 0"):
    NTMCell(I, O, head_clip=-1.0, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="output_clip must be >= 0"):
    NTMCell(I, O, output_clip=-20.0, rngs=nnx.Rngs(0))


def test_one_ntm_step_gradients_match_finite_differences():
  with jax.enable_x64(True):
    cell = NTMCell(3, 2, controller_size=4, memory_size=5, word_size=3, memory_init="random",
                   rngs=nnx.Rngs(0))  # fmt: skip
    graphdef, params = nnx.split(cell, nnx.Param)
    params = jax.tree.map(lambda p: p.astype(jnp.float64), params)
    x = jax.random.normal(jax.random.key(1), (2, 3), jnp.float64)

    def step_loss(params, x):
      c = nnx.merge(graphdef, params)
      state = jax.tree.map(lambda a: a.astype(jnp.float64), c.initial_state(2))
      state, y = c(state, x)
      state, y2 = c(state, x)
      return jnp.sum(y * y2) + jnp.sum(state.memory**2)

    test_util.check_grads(
      jax.jit(step_loss), (params, x), order=1, modes=["rev"], atol=1e-4, rtol=1e-4
    )


def test_gradients_finite_from_constant_memory_with_exact_zeros():
  cell = NTMCell(I, O, memory_size=8, word_size=4, rngs=nnx.Rngs(0))
  graphdef, params = nnx.split(cell, nnx.Param)

  def loss(params):
    return jnp.sum(unroll(nnx.merge(graphdef, params), jnp.zeros((2, 4, I)))[1] ** 2)

  chex.assert_tree_all_finite(jax.jit(jax.grad(loss))(params))


def test_state_is_a_named_tuple():
  state = NTMCell(I, O, memory_size=8, word_size=4, rngs=nnx.Rngs(0)).initial_state(1)
  assert isinstance(state, ntm.NTMState)


def test_read_first_reads_the_memory_before_the_write():
  """read_first: a step's reads come from the previous memory, so this step's write is unseen."""
  kwargs = dict(controller_size=6, memory_size=8, word_size=4, memory_init="random")
  first = NTMCell(I, O, read_first=True, rngs=nnx.Rngs(3), **kwargs)
  after = NTMCell(I, O, rngs=nnx.Rngs(3), **kwargs)
  x = jax.random.normal(jax.random.key(0), (2, I))
  state = first.initial_state(2)
  new_first, _ = first(state, x)
  new_after, _ = after(state, x)
  np.testing.assert_allclose(new_first.memory, new_after.memory, rtol=1e-6)  # same write
  old_reads = jnp.einsum("bmn,brn->brm", state.memory, new_first.read_weights)
  np.testing.assert_allclose(new_first.reads, old_reads, rtol=1e-5, atol=1e-6)
  new_reads = jnp.einsum("bmn,brn->brm", new_after.memory, new_after.read_weights)
  np.testing.assert_allclose(new_after.reads, new_reads, rtol=1e-5, atol=1e-6)
  assert not np.allclose(new_first.reads, new_after.reads)


@pytest.mark.parametrize("controller", ["lstm", "feedforward"])
def test_learned_initial_state_receives_gradient(controller):
  cell = NTMCell(I, O, controller=controller, controller_size=6, memory_size=8, word_size=4,
                 learned_initial_state=True, memory_init="learned_constant", rngs=nnx.Rngs(0))  # fmt: skip
  state = cell.initial_state(3)
  chex.assert_trees_all_close(jnp.sum(state.read_weights, -1), jnp.ones((3, 1)), rtol=1e-6)
  assert float(jnp.max(state.read_weights)) < 0.5  # nearly uniform at the start
  np.testing.assert_allclose(state.memory, memory.CONSTANT_INIT_VALUE)
  graphdef, params = nnx.split(cell, nnx.Param)
  xs = jax.random.normal(jax.random.key(1), (3, 4, I))

  def loss(params):
    return jnp.sum(jnp.sin(unroll(nnx.merge(graphdef, params), xs)[1]))

  grads = jax.grad(loss)(params)
  names = ["initial_read_logits", "initial_write_logits", "initial_reads", "initial_memory"]
  if controller == "lstm":
    names.append("initial_controller")
  for name in names:
    grad = grads[name][...]
    assert bool(jnp.all(jnp.isfinite(grad))), name
    assert float(jnp.max(jnp.abs(grad))) > 0.0, name


def test_fixed_initial_state_has_no_parameters():
  cell = NTMCell(I, O, controller_size=6, memory_size=8, word_size=4, rngs=nnx.Rngs(0))
  names = {str(path[0]) for path, _ in nnx.to_flat_state(nnx.state(cell, nnx.Param))}
  assert not any(name.startswith("initial_") for name in names)
  state = cell.initial_state(2)
  np.testing.assert_array_equal(state.read_weights[:, 0], jax.nn.one_hot([0, 0], 8))


def test_diagnose_reports_bounded_head_statistics():
  cell = NTMCell(I, O, controller_size=6, memory_size=8, word_size=4, rngs=nnx.Rngs(0))
  xs = jax.random.normal(jax.random.key(1), (3, 4, I))
  diag = jax.jit(cell.diagnose)(xs)
  _, ys = unroll(cell, xs)
  np.testing.assert_allclose(diag["max_abs_logit"], jnp.max(jnp.abs(ys)), rtol=1e-5)
  np.testing.assert_allclose(diag["output_weight_norm"], jnp.linalg.norm(cell.output.kernel[...]))
  for kind in ("read", "write"):
    assert float(diag[f"{kind}_gamma"]) >= 1.0
    assert 0.0 <= float(diag[f"{kind}_gate"]) <= 1.0
    assert float(diag[f"{kind}_beta"]) >= 0.0
    assert 1.0 / 8 <= float(diag[f"{kind}_max_weight"]) <= 1.0
