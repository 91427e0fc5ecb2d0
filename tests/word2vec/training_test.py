"""word2vec's SGD: the released code's linearly decaying learning rate, and one step by hand."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.word2vec import losses, sampling, training


def test_learning_rate_falls_linearly_to_the_released_codes_floor():
  schedule = training.linear_decay(0.025, 100)
  rates = [float(schedule(step)) for step in (0, 50, 100, 1000)]
  np.testing.assert_allclose(rates, [0.025, 0.0125, 0.025e-4, 0.025e-4], rtol=1e-6)
  with pytest.raises(ValueError):
    training.linear_decay(0.0, 100)


def test_a_step_on_the_batchs_rows_equals_sgd_on_the_dense_gradient_of_the_summed_loss():
  cdf = sampling.noise_cdf(np.array([0, 1, 1, 1, 1]))
  schedule = training.linear_decay(0.5, 10)

  @jax.jit
  def steps_and_references(corpus, key):  # one compiled program for the test
    centres = jnp.array([0, 1, 2, 3, 5, 6, 0, 0], jnp.int32)  # the words' positions, then padding
    epoch = sampling.Epoch(corpus, jnp.int32(8), centres, jnp.int32(6), jnp.cumsum(corpus == 0))
    state = training.init_state(jax.random.key(1), 5, 3)
    state = state._replace(params=state.params._replace(output=jnp.full((5, 3), 0.1)))
    results = {}
    for kind in ("skipgram", "cbow"):
      settings = training.Settings(kind=kind, batch_size=4, window=2, num_negatives=2)
      new, metrics = training.sgd_step(state, epoch, key, cdf, 0, settings, schedule)
      batch = sampling.sample_batch(jax.random.fold_in(key, 0), epoch, cdf, batch_size=4,
                                    window=2, num_negatives=2, eos=0,
                                    per_pair_negatives=kind == "skipgram")  # fmt: skip
      (total, terms), grads = jax.value_and_grad(losses.loss, has_aux=True)(
        state.params, batch, kind
      )
      dense = jax.tree.map(lambda p, g: p - 0.5 * g, state.params, grads)
      results[kind] = new, metrics, dense, total / terms
    return results

  corpus = jnp.array([1, 2, 3, 4, 0, 2, 3, 0], jnp.int32)
  for new, metrics, dense, expected_loss in steps_and_references(
    corpus, jax.random.key(2)
  ).values():
    np.testing.assert_allclose(new.params.input, dense.input, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(new.params.output, dense.output, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(float(metrics.loss), float(expected_loss), rtol=1e-6)
    assert int(new.step) == 1 and float(metrics.learning_rate) == pytest.approx(0.5)
