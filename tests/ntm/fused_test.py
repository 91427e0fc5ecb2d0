"""memnets.ntm.fused: the batched memory access equals the reference functions, in value and gradient."""

import functools

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from jax import test_util

from memnets import NTMCell
from memnets.ntm import addressing, fused, memory
from memnets.unrolling import unroll


def reference(shift_width, mem, write_prev, read_prev, raw_write, raw_read, read_first=False):
  """The same access from the per-example functions of `addressing` and `memory`.

  `mem` is word-major [B, M, N] like `access`'s; the reference functions take [N, M].
  With `read_first` the reads address and read the memory before the write.
  """
  m = mem.shape[1]

  def heads_address(mem, w_prev, heads):
    return jnp.stack([
      addressing.address(mem, w_prev[i], heads.key[i], heads.beta[i], heads.gate[i],
                         heads.shift[i], heads.gamma[i])
      for i in range(w_prev.shape[0])
    ])  # fmt: skip

  def one(mem, write_prev, read_prev, raw_write, raw_read):
    mem = mem.T
    rh = jax.tree.map(lambda a: a[0], fused.activate(raw_read[None], m, shift_width))
    if read_first:
      read_w = heads_address(mem, read_prev, rh)
      reads = memory.read(mem, read_w)
    write_w = write_prev
    if raw_write.shape[0]:
      wh = jax.tree.map(lambda a: a[0], fused.activate(raw_write[None], m, shift_width))
      write_w = heads_address(mem, write_prev, wh)
      mem = memory.write(mem, write_w, wh.erase, wh.add)
    if not read_first:
      read_w = heads_address(mem, read_prev, rh)
      reads = memory.read(mem, read_w)
    return fused.Access(mem.T, write_w, read_w, reads)

  return jax.vmap(one)(mem, write_prev, read_prev, raw_write, raw_read)


def random_args(b, n, m, w, r, s, dtype, seed=0):
  ks = jax.random.split(jax.random.key(seed), 5)
  return (
    jax.random.normal(ks[0], (b, m, n), dtype),
    jax.nn.softmax(jax.random.normal(ks[1], (b, w, n), dtype)),
    jax.nn.softmax(jax.random.normal(ks[2], (b, r, n), dtype)),
    jax.random.normal(ks[3], (b, w, fused.head_size(m, s, write=True)), dtype),
    jax.random.normal(ks[4], (b, r, fused.head_size(m, s, write=False)), dtype),
  )


def weighted_sum(fn, cotangent):
  return lambda *args: sum(jnp.sum(x * c) for x, c in zip(fn(*args), cotangent, strict=True))


SHAPES = [(2, 7, 4, 1, 1, 3), (3, 6, 5, 2, 3, 5), (2, 5, 3, 0, 2, 1)]


@pytest.mark.parametrize("read_first", [False, True])
@pytest.mark.parametrize("b,n,m,w,r,s", SHAPES)
def test_values_and_gradients_equal_the_reference(b, n, m, w, r, s, read_first):
  with jax.enable_x64(True):
    args = random_args(b, n, m, w, r, s, jnp.float64, seed=w + r)
    access = functools.partial(fused.access, shift_width=s, read_first=read_first)
    outs = jax.jit(access)(*args)
    ref = jax.jit(lambda *a: reference(s, *a, read_first=read_first))(*args)
    for got, want in zip(outs, ref, strict=True):
      np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    keys = jax.random.split(jax.random.key(9), 4)
    cotangent = [
      jax.random.normal(k, x.shape, jnp.float64) for k, x in zip(keys, outs, strict=True)
    ]
    argnums = tuple(range(5))
    got = jax.jit(jax.grad(weighted_sum(access, cotangent), argnums))
    want = jax.jit(
      jax.grad(weighted_sum(lambda *a: reference(s, *a, read_first=read_first), cotangent), argnums)
    )
    for i, (g, h) in enumerate(zip(got(*args), want(*args), strict=True)):
      np.testing.assert_allclose(g, h, rtol=1e-8, atol=1e-10, err_msg=f"argument {i}")


@pytest.mark.parametrize("read_first", [False, True])
def test_gradients_match_finite_differences(read_first):
  with jax.enable_x64(True):
    args = random_args(2, 6, 3, 2, 2, 3, jnp.float64, seed=4)
    access = functools.partial(fused.access, shift_width=3, read_first=read_first)
    test_util.check_grads(jax.jit(access), args, order=1, modes=["rev"], atol=1e-5)


def test_read_first_reads_the_previous_memory():
  """read_first: the reads are the new read weightings applied to the memory passed in."""
  args = random_args(2, 7, 4, 1, 1, 3, jnp.float32, seed=2)
  before = fused.access(*args, shift_width=3, read_first=True)
  after = fused.access(*args, shift_width=3)
  np.testing.assert_allclose(
    before.reads, jnp.einsum("bmn,brn->brm", args[0], before.read_weights), rtol=1e-5, atol=1e-6
  )
  np.testing.assert_allclose(
    after.reads, jnp.einsum("bmn,brn->brm", after.memory, after.read_weights), rtol=1e-5, atol=1e-6
  )
  np.testing.assert_allclose(before.memory, after.memory)  # the write is the same
  assert not np.allclose(before.reads, after.reads)  # and the order matters here


def _saturate(args):
  """Raw outputs of ±60: beta, gamma ≈ 60, sigmoids and shift softmax at exact 0 or 1."""
  mem, wp, rp, raw_w, raw_r = args
  return mem, wp, rp, 60.0 * jnp.sign(raw_w), 60.0 * jnp.sign(raw_r)


EDGE_CASES = {
  "zero_memory": lambda a: (jnp.zeros_like(a[0]),) + a[1:],
  "zero_memory_row": lambda a: (a[0].at[:, :, 2].set(0.0),) + a[1:],
  "zero_keys": lambda a: a[:3] + (a[3].at[..., :4].set(-60.0), a[4].at[..., :4].set(0.0)),
  "one_hot_previous": lambda a: (a[0], jnp.eye(8)[None, None, :][:, :, 1], jnp.eye(8)[None, None, 5], a[3], a[4]),
  "saturated_heads": _saturate,
  "huge_beta_gamma": lambda a: a[:3] + (a[3].at[..., 4:6].set(1e4), a[4].at[..., 4:6].set(1e4)),
}  # fmt: skip


@jax.jit
def _value_and_grads(*args):
  def loss(*args):
    out = fused.access(*args, shift_width=3)
    return sum(jnp.sum(x * jnp.cos(x)) for x in out), out

  return jax.value_and_grad(loss, argnums=tuple(range(5)), has_aux=True)(*args)


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_float32_values_and_gradients_finite_at_edge_cases(case):
  args = EDGE_CASES[case](random_args(1, 8, 4, 1, 1, 3, jnp.float32, seed=1))
  args = tuple(jnp.asarray(a, jnp.float32) for a in args)
  (_, out), grads = _value_and_grads(*args)
  chex.assert_tree_all_finite((out, grads))
  np.testing.assert_allclose(out.read_weights.sum(-1), 1.0, rtol=1e-5)


def _dot_precisions(jaxpr) -> list:
  """The `precision` of every dot_general in `jaxpr` and the jaxprs nested in it."""
  found = []
  for eqn in jaxpr.eqns:
    if eqn.primitive.name == "dot_general":
      found.append(eqn.params["precision"])
    for value in eqn.params.values():
      for sub in value if isinstance(value, (tuple, list)) else [value]:
        if isinstance(sub, jax.extend.core.ClosedJaxpr):
          found += _dot_precisions(sub.jaxpr)
        elif isinstance(sub, jax.extend.core.Jaxpr):
          found += _dot_precisions(sub)
  return found


def test_memory_contractions_are_float32_dots_in_both_passes():
  """Content dots, reads and their gradients are dot_generals at HIGHEST precision (no TF32)."""
  args = random_args(2, 6, 3, 1, 1, 3, jnp.float32)
  total = weighted_sum(lambda *a: fused.access(*a, shift_width=3), [1.0, 1.0, 1.0, 1.0])
  forward = _dot_precisions(jax.make_jaxpr(total)(*args).jaxpr)
  both = _dot_precisions(jax.make_jaxpr(jax.grad(total, argnums=tuple(range(5))))(*args).jaxpr)
  assert len(forward) == 3  # write and read content dots, the read
  assert len(both) >= len(forward) + 7  # + read weighting, 2 keys, write weighting (2), erase, add
  highest = (jax.lax.Precision.HIGHEST, jax.lax.Precision.HIGHEST)
  assert all(p == highest for p in both), both


def test_wrong_head_size_is_rejected():
  with pytest.raises(ValueError, match="per head"):
    fused.activate(jnp.zeros((1, 1, 11)), 4, 3)
  with pytest.raises(ValueError, match="shift_width"):
    fused.access(*random_args(1, 4, 2, 1, 1, 3, jnp.float32), shift_width=2)


@pytest.mark.parametrize("read_first", [False, True])
def test_ntm_cell_fused_and_reference_paths_agree(read_first):
  """The same cell with fused=True and fused=False: outputs and parameter gradients."""
  xs = jax.random.normal(jax.random.key(0), (2, 6, 5))

  def loss_and_grads(use_fused):
    cell = NTMCell(5, 3, controller_size=8, memory_size=10, word_size=4, num_read_heads=2,
                   num_write_heads=2, memory_init="random", fused=use_fused, read_first=read_first,
                   rngs=nnx.Rngs(0))  # fmt: skip
    graphdef, params = nnx.split(cell, nnx.Param)

    def loss(params):
      return jnp.sum(jnp.sin(unroll(nnx.merge(graphdef, params), xs)[1]))

    return jax.jit(jax.value_and_grad(loss))(params)

  (loss_f, grads_f), (loss_r, grads_r) = loss_and_grads(True), loss_and_grads(False)
  np.testing.assert_allclose(loss_f, loss_r, rtol=1e-5)
  chex.assert_trees_all_close(grads_f, grads_r, rtol=2e-4, atol=1e-5)
