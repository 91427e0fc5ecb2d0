"""The encoder-decoder: the task adapter, teacher forcing, greedy and beam decoding."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from memnets import seq2seq, tasks
from memnets.seq2seq import adapter


def _pairs(name, batch=3, length=(2, 5)):
  task = tasks.get(name)
  return task, adapter.split(*task.sample(jax.random.key(1), batch, length))


def test_the_adapter_moves_each_source_and_target_to_the_front():
  task = tasks.get("reverse_string")
  batch = task.sample(jax.random.key(0), 4, (2, 6))
  pairs = adapter.split(*batch)
  for b in range(4):
    scored = np.asarray(batch.mask[b]) > 0
    source = np.asarray(batch.inputs[b])[~scored & (np.asarray(batch.inputs[b]).sum(-1) > 0)]
    n, u = len(source), int(scored.sum())
    np.testing.assert_array_equal(pairs.source[b, :n], source)
    np.testing.assert_array_equal(pairs.source_mask[b], np.arange(len(scored)) < n)
    np.testing.assert_array_equal(pairs.target[b, :u], np.asarray(batch.targets[b])[scored])
    reversed_source = source.argmax(-1)[::-1]
    np.testing.assert_array_equal(np.asarray(pairs.target[b, :u]).argmax(-1)[:n], reversed_source)


def test_the_adapter_on_copy_keeps_the_delimiter_in_the_source():
  task, pairs = _pairs("copy", length=3)
  assert int(pairs.source_mask[0].sum()) == 4 and int(pairs.target_mask[0].sum()) == 3
  np.testing.assert_array_equal(pairs.target[:, :3], pairs.source[:, :3, :8])


def test_teacher_forcing_and_greedy_agree_when_the_model_feeds_itself_its_targets():
  task, pairs = _pairs("reverse_string")
  model = seq2seq.EncoderDecoder(task.input_size, task.output_size, hidden_size=6,
                                 attention_size=5, rngs=nnx.Rngs(0))  # fmt: skip
  logits, weights = model.greedy(pairs.source, pairs.source_mask, pairs.target.shape[1])
  fed = jax.nn.one_hot(jnp.argmax(logits, -1), task.output_size)
  np.testing.assert_allclose(model(pairs.source, pairs.source_mask, fed), logits, atol=1e-5)
  np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
  assert float(jnp.abs(weights * (1 - pairs.source_mask[:, None])).max()) == 0.0


def test_without_attention_the_context_is_the_mean_annotation_whatever_the_state():
  task, pairs = _pairs("reverse_string")
  model = seq2seq.EncoderDecoder(task.input_size, task.output_size, hidden_size=6,
                                 attention_size=5, attention=False, rngs=nnx.Rngs(0))  # fmt: skip
  encoded = model.encode(pairs.source, pairs.source_mask)
  previous = jnp.zeros((3, task.output_size))
  _, first, weights = model._step(encoded, jnp.zeros((3, 6)), previous)
  _, second, _ = model._step(encoded, jnp.ones((3, 6)), previous)
  mask = pairs.source_mask[..., None]
  mean = (encoded.annotations * mask).sum(1) / mask.sum(1)
  np.testing.assert_allclose(encoded.summary, mean, rtol=1e-5)
  assert float(jnp.abs(weights).max()) == 0.0 and not np.allclose(first, second)


def test_a_beam_of_width_one_is_greedy_decoding():
  task, pairs = _pairs("reverse_string", batch=4)
  model = seq2seq.EncoderDecoder(task.input_size, task.output_size, hidden_size=6,
                                 attention_size=5, rngs=nnx.Rngs(2))  # fmt: skip
  logits, _ = model.greedy(pairs.source, pairs.source_mask, pairs.target.shape[1])
  greedy = jnp.argmax(logits, -1) * (pairs.target_mask > 0)
  one = model.beam_search(pairs.source, pairs.source_mask, pairs.target_mask, 1)
  np.testing.assert_array_equal(one, greedy)


def test_a_beam_as_wide_as_every_output_finds_the_most_probable_one():
  task, pairs = _pairs("reverse_string", batch=3, length=3)  # 3 output bits: 8 sequences
  model = seq2seq.EncoderDecoder(task.input_size, task.output_size, hidden_size=6,
                                 attention_size=5, rngs=nnx.Rngs(3))  # fmt: skip
  steps = pairs.target.shape[1]
  every = np.array([[(n >> i) & 1 for i in range(3)] for n in range(8)])
  candidates = jnp.asarray(np.pad(every, ((0, 0), (0, steps - 3))))  # [8, U]
  tiled = [jnp.repeat(a, 8, axis=0) for a in (pairs.source, pairs.source_mask, pairs.target_mask)]
  ids = jnp.tile(candidates, (3, 1))
  lp = jax.nn.log_softmax(model(tiled[0], tiled[1], jax.nn.one_hot(ids, task.output_size)))
  scores = (jnp.take_along_axis(lp, ids[..., None], -1)[..., 0] * tiled[2]).sum(1).reshape(3, 8)
  best = candidates[jnp.argmax(scores, axis=1)]
  found = model.beam_search(pairs.source, pairs.source_mask, pairs.target_mask, 8)
  np.testing.assert_array_equal(found, best)


def test_bad_settings_are_named():
  with pytest.raises(ValueError, match="model.encoder"):
    seq2seq.EncoderDecoder(2, 2, encoder="ntm", rngs=nnx.Rngs(0))
  model = seq2seq.EncoderDecoder(
    3, 2, hidden_size=4, attention_size=4, loss="bits", rngs=nnx.Rngs(0)
  )
  with pytest.raises(ValueError, match="categorical"):
    model.beam_search(jnp.zeros((1, 2, 3)), jnp.ones((1, 2)), jnp.ones((1, 2)), 2)
