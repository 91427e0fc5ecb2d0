"""The nondeterministic stack RNN (DuSell & Chiang 2020) as Delétang et al. 2023 ran it.

DuSell & Chiang 2020, "Learning Context-Free Languages with Nondeterministic
Stack RNNs" (CoNLL): a controller drives a weighted pushdown automaton (PDA)
with Q states and S stack symbols, and Lang's algorithm sums the weights of
all its runs, exponentially many stacks, in O(T³) time. Delétang et al. 2023,
"Neural Networks and the Chomsky Hierarchy" (ICLR), whose public
`ndstack_rnn` core this module follows. One step, at time t = 1, 2, ...:

  h_t = controller([x_t ; r_{t−1}], h_{t−1})           r_0 = 0
  δ_t = softmax(A h_t)                                  push, replace and pop weights
  γ[i→t][q,x→r,y] = 1[i = t−1] δ_t[q,x → r,xy]                                 push
      + Σ_{s,z} γ[i→t−1][q,x→s,z] δ_t[s,z → r,y]                               replace
      + Σ_{k=i+1}^{t−2} Σ_{u,s,z} γ[i→k][q,x→u,y] γ[k→t−1][u,y→s,z] δ_t[s,z → r]   pop
  α[t][r,y] = Σ_{i<t} Σ_{q,x} α[i][q,x] γ[i→t][q,x→r,y]    α[0] = 1 at (q, x) = (0, ⊥)
  r_t = Σ_r α[t][r, ·] / (Σ_{r,y} α[t][r,y] + ε)        (`read_states`: α[t] flattened)
  y_t = W relu(h_t) + b                                 the logits

γ[i→t][q,x→r,y] (the inner weights) sums the runs that start at time i in
state q with x on top, push y at i+1, and end at t in state r with y on top
and x still beneath it. α[t][r,y] (the forward weights) sums the runs that
end at t in state r with y on top. The bottom symbol ⊥ is symbol 0; it can be
neither replaced nor popped (a run that pops the last symbol above it ends),
as in both references. Like Delétang et al.: a vanilla tanh RNN controller,
the reading starts at zero, the logits come from a dense layer on relu(h),
one softmax over all Q·S·(2QS + Q) transition weights
(`transition_softmax="global"`), and the reading's denominator guarded by
ε = 1e-3. DuSell & Chiang normalise the transitions leaving each (q, x)
separately (`"per_state_symbol"`), compute in log space and normalise the
reading exactly. Under the global softmax the Q·S rows share one
distribution: α keeps its mass only where the controller puts the weight on
the rows of the tops that runs are at; spread evenly over the rows (as at
initialisation), the mass falls about Q·S-fold a step and the reading fades
once it is below ε.

Layout and size: `gamma[i, t]` holds γ[i→t] and `alpha[t]` holds α[t] for
t < P, the preallocated length; a run of T steps needs P = T (the last
step's column is used for its reading, never stored). `unroll` builds the
state with `max_steps` = T, so P = max(`stack_size`, T). Steps beyond P are
not tracked: later readings are wrong. One example's γ is P² (QS)² floats,
O(T²) memory, and each step's pop term costs O(T² Q³ S²), O(T³) time
overall. In float32 at Q = S = 2, γ takes 400 KiB per example at T = 80 and
15.3 MiB (16 MB) at T = 500. With S = 4 it takes 4 times as much.

Backward memory: `jax.lax.scan` keeps every step's carry for the backward
pass, and the carry holds γ, so a gradient through T steps stores T copies
of γ: O(T³) per example, 31 MiB at T = 80 and 7.5 GiB at T = 500 (Q = S = 2).
Rematerialisation (`remat=True` in `memnets.unrolling.unroll`, i.e.
`jax.checkpoint` on the scan body) recomputes every other per-step
intermediate (the controller's activations, the pop term's partial sums)
but keeps those carries, which are nearly all of the memory: it saves
little here. Training fits at the Chomsky tasks' lengths (T ≲ 100, 61 MiB per example);
length-500 tests run forward only, at O(T²) memory.

Numerical safety: the updates add and multiply nonnegative weights (no
logarithm, no division), and the reading's denominator is at least ε > 0,
so values and gradients are finite at uniform and one-hot transitions and
at zero weights. In float32 the weights of long runs can underflow to zero;
the reading is then zero and its gradient finite.
"""

import functools
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx
from jax.typing import ArrayLike

from memnets import recurrent

# `transition_softmax`: one softmax over all transition weights (Delétang et al.),
# or one per (state, top symbol) over the transitions leaving it (DuSell & Chiang).
GLOBAL = "global"
PER_STATE_SYMBOL = "per_state_symbol"
TRANSITION_SOFTMAXES = (GLOBAL, PER_STATE_SYMBOL)
# Added to the reading's denominator (Delétang et al.'s value).
READ_EPSILON = 1e-3
# The initial state q_0 and the bottom symbol ⊥.
INITIAL_STATE, BOTTOM = 0, 0


class Transitions(NamedTuple):
  """The PDA's transition weights at one step, for one example."""

  push: jax.Array  # [Q, S, Q, S]: δ[q,x → r,xy], push y
  replace: jax.Array  # [Q, S, Q, S]: δ[q,x → r,y], replace x by y
  pop: jax.Array  # [Q, S, Q]: δ[q,x → r], pop x


def num_transition_logits(stack_states: int, stack_symbols: int) -> int:
  """Q·S·(2QS + Q): push and replace to each (r, y), pop to each r, from each (q, x)."""
  qs = stack_states * stack_symbols
  return qs * (2 * qs + stack_states)


def transition_weights(
  logits: ArrayLike, stack_states: int, stack_symbols: int, softmax: str = GLOBAL
) -> Transitions:
  """δ_t = softmax(logits), split into push, replace and pop weights.

  Args:
    logits: [Q·S·(2QS + Q)], row-major [q, x, transition] with the
      transitions of each (q, x) ordered [push (r, y) | replace (r, y) | pop r].
    stack_states, stack_symbols: Q and S.
    softmax: `GLOBAL`, one softmax over all weights (they sum to 1), or
      `PER_STATE_SYMBOL`, one per (q, x) (the weights leaving each sum to 1).
  """
  q, s = stack_states, stack_symbols
  qs = q * s
  rows = jnp.reshape(jnp.asarray(logits), (qs, 2 * qs + q))
  if softmax == GLOBAL:
    weights = jax.nn.softmax(rows.reshape(-1)).reshape(rows.shape)
  elif softmax == PER_STATE_SYMBOL:
    weights = jax.nn.softmax(rows, axis=-1)
  else:
    raise ValueError(f"softmax: unknown {softmax!r}; known: {TRANSITION_SOFTMAXES}")
  return Transitions(
    push=weights[:, :qs].reshape(q, s, q, s),
    replace=weights[:, qs : 2 * qs].reshape(q, s, q, s),
    pop=weights[:, 2 * qs :].reshape(q, s, q),
  )


def initial_stack(length: int, stack_states: int, stack_symbols: int, dtype=jnp.float32):
  """`(gamma [P, P, Q, S, Q, S], alpha [P, Q, S])` of one example before its first step.

  γ is zero (no runs yet) and α[0] is 1 at (q_0, ⊥), the empty stack.
  """
  q, s = stack_states, stack_symbols
  gamma = jnp.zeros((length, length, q, s, q, s), dtype)
  alpha = jnp.zeros((length, q, s), dtype).at[0, INITIAL_STATE, BOTTOM].set(1)
  return gamma, alpha


def gamma_column(gamma: ArrayLike, t: ArrayLike, transitions: Transitions) -> jax.Array:
  """γ[i→t] for every i: the push, replace and pop terms (module docstring).

  Args:
    gamma: [P, P, Q, S, Q, S], `gamma[i, k]` = γ[i→k] for k < t; zero for
      k ≥ t and on and below the diagonal (i ≥ k), as `ndstack_step` leaves it.
    t: the step's time, 1 ≤ t ≤ P (an integer, may be traced).
    transitions: δ_t.

  Returns:
    [P, Q, S, Q, S], row i = γ[i→t]; zero for i ≥ t. The limits of the sums
    (i < k < t − 1) hold because γ is zero outside them, so no mask is needed.
  """
  gamma = jnp.asarray(gamma)
  length = gamma.shape[0]
  previous = gamma[:, t - 1]  # γ[i→t−1]; column 0 is zero, so t = 1 adds nothing
  push = (jnp.arange(length) == t - 1).astype(gamma.dtype)[:, None, None, None, None]
  push = push * transitions.push[None]
  replace = jnp.einsum("iqxsz,szry->iqxry", previous, transitions.replace)
  # Σ_{s,z} γ[k→t−1][u,y→s,z] δ_t[s,z→r]: from (u, y) at k, push z at k+1, pop it at t.
  popped = jnp.einsum("kuysz,szr->kuyr", previous, transitions.pop)
  pop = jnp.einsum("ikqxuy,kuyr->iqxry", gamma, popped)
  return push + replace + pop


def ndstack_step(
  gamma: ArrayLike, alpha: ArrayLike, t: ArrayLike, transitions: Transitions
) -> tuple[jax.Array, jax.Array, jax.Array]:
  """One step of Lang's algorithm: `(gamma, alpha, α[t])` after time t's transitions.

  Args:
    gamma: [P, P, Q, S, Q, S] and alpha: [P, Q, S] after time t − 1
      (`initial_stack` for t = 1).
    t: the step's time, 1 ≤ t ≤ P (an integer, may be traced).
    transitions: δ_t.

  Returns:
    gamma with column t set to γ[·→t], alpha with row t set to α[t], and
    α[t] [Q, S]. At t = P the column and row do not fit and are not stored;
    α[t] is still returned.
  """
  gamma, alpha = jnp.asarray(gamma), jnp.asarray(alpha)
  column = gamma_column(gamma, t, transitions)
  alpha_t = jnp.einsum("iqx,iqxry->ry", alpha, column)
  gamma = gamma.at[:, t].set(column, mode="drop")
  alpha = alpha.at[t].set(alpha_t, mode="drop")
  return gamma, alpha, alpha_t


def stack_reading(
  alpha_t: ArrayLike, read_states: bool = False, epsilon: float = READ_EPSILON
) -> jax.Array:
  """r_t: the distribution of the top symbol [S], or of (state, top symbol) [Q·S].

  α[t] summed over the states (or flattened) and divided by its total plus
  `epsilon`, so the reading is finite and zero when α[t] is.
  """
  alpha_t = jnp.asarray(alpha_t)
  weights = alpha_t.reshape(-1) if read_states else alpha_t.sum(0)
  return weights / (weights.sum() + epsilon)


class NDStackRNNState(NamedTuple):
  controller: Any  # the controller cell's own state
  gamma: jax.Array  # [B, P, P, Q, S, Q, S]: gamma[:, i, t] = γ[i→t]
  alpha: jax.Array  # [B, P, Q, S]: alpha[:, t] = α[t]
  reading: jax.Array  # [B, S] or [B, Q·S]: r_t, read by the next step
  step: jax.Array  # [B] int32: the steps taken, t of the last one


class NDStackRNNCell(nnx.Module):
  """A recurrent controller with a nondeterministic stack of Q states and S symbols.

  Args:
    input_size, output_size: I and O.
    hidden_size: the controller's width (Delétang et al.: 256).
    stack_states: Q (Delétang et al.: 2).
    stack_symbols: S (Delétang et al.: 2 and 4).
    stack_size: the fewest steps the state is preallocated for; a run of
      T > `stack_size` steps gets T (the reference's default: 30).
    read_states: read the distribution of (state, top symbol) instead of
      the top symbol's.
    transition_softmax: `GLOBAL` (Delétang et al.) or `PER_STATE_SYMBOL`
      (DuSell & Chiang), see `transition_weights`.
    read_epsilon: ε > 0 of the reading's denominator (Delétang et al.: 1e-3).
    controller: a name of `recurrent.CONTROLLERS` (Delétang et al.: "rnn").
    rngs: parameter initialisation.
  """

  def __init__(
    self,
    input_size: int,
    output_size: int,
    *,
    hidden_size: int = 256,
    stack_states: int = 2,
    stack_symbols: int = 2,
    stack_size: int = 30,
    read_states: bool = False,
    transition_softmax: str = GLOBAL,
    read_epsilon: float = READ_EPSILON,
    controller: str = "rnn",
    rngs: nnx.Rngs,
  ):
    for name, value in [
      ("input_size", input_size),
      ("output_size", output_size),
      ("hidden_size", hidden_size),
      ("stack_states", stack_states),
      ("stack_symbols", stack_symbols),
      ("stack_size", stack_size),
    ]:
      if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    if transition_softmax not in TRANSITION_SOFTMAXES:
      raise ValueError(
        f"transition_softmax: unknown {transition_softmax!r}; known: {TRANSITION_SOFTMAXES}"
      )
    if not read_epsilon > 0:
      raise ValueError(f"read_epsilon must be > 0, got {read_epsilon}")
    if controller not in recurrent.CONTROLLERS:
      raise ValueError(
        f"controller: unknown {controller!r}; known: {sorted(recurrent.CONTROLLERS)}"
      )
    self.input_size = input_size
    self.output_size = output_size
    self.stack_states = stack_states
    self.stack_symbols = stack_symbols
    self.stack_size = stack_size
    self.read_states = read_states
    self.transition_softmax = transition_softmax
    self.read_epsilon = read_epsilon
    self.reading_size = stack_states * stack_symbols if read_states else stack_symbols
    self.controller = recurrent.CONTROLLERS[controller](
      input_size + self.reading_size, hidden_size, rngs=rngs
    )
    hidden = self.controller.output_size
    self.transitions = nnx.Linear(
      hidden, num_transition_logits(stack_states, stack_symbols), rngs=rngs
    )
    self.output = nnx.Linear(hidden, output_size, rngs=rngs)

  sized_by_length = True  # `unroll` passes max_steps: γ is preallocated for the run

  def initial_state(self, batch_size: int, max_steps: int | None = None) -> NDStackRNNState:
    """No runs yet (γ = 0, α[0] at (q_0, ⊥)), a zero reading and the controller's zero state.

    γ and α cover max(stack_size, max_steps) steps (module docstring).
    """
    length = self.stack_size if max_steps is None else max(self.stack_size, max_steps)
    gamma, alpha = initial_stack(length, self.stack_states, self.stack_symbols)
    return NDStackRNNState(
      controller=self.controller.initial_state(batch_size),
      gamma=jnp.broadcast_to(gamma, (batch_size, *gamma.shape)),
      alpha=jnp.broadcast_to(alpha, (batch_size, *alpha.shape)),
      reading=jnp.zeros((batch_size, self.reading_size), jnp.float32),
      step=jnp.zeros((batch_size,), jnp.int32),
    )

  def __call__(self, state: NDStackRNNState, x_BxI: jax.Array) -> tuple[NDStackRNNState, jax.Array]:
    """One step: run the controller on the input and the last reading, update the stack, read it."""
    ctrl_state, h_BxH = self.controller(
      state.controller, jnp.concatenate([x_BxI, state.reading], -1)
    )
    transitions = jax.vmap(
      functools.partial(
        transition_weights,
        stack_states=self.stack_states,
        stack_symbols=self.stack_symbols,
        softmax=self.transition_softmax,
      )
    )(self.transitions(h_BxH))
    step_B = state.step + 1
    gamma, alpha, alpha_t = jax.vmap(ndstack_step)(state.gamma, state.alpha, step_B, transitions)
    read = functools.partial(stack_reading, read_states=self.read_states, epsilon=self.read_epsilon)
    new_state = NDStackRNNState(
      controller=ctrl_state,
      gamma=gamma,
      alpha=alpha,
      reading=jax.vmap(read)(alpha_t),
      step=step_B,
    )
    return new_state, self.output(jax.nn.relu(h_BxH))
