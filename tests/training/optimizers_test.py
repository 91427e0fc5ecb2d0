"""Tests of memnets.training.optimizers: RMSProp/Adam, clipping, spike clipping, weight decay."""

import dataclasses

import jax.numpy as jnp
import numpy as np
import optax
import pytest

from experiments import configs
from memnets.training import config as config_lib
from memnets.training import optimizers

# The shared base config keeps the NTM paper's optimiser (ntm_copy overrides it).
PAPER = config_lib.from_mapping(configs.base_config()).optimizer


def _apply(opt, grads):
  transform = optimizers.make(opt)
  params = {"w": jnp.zeros(3)}
  updates, _ = transform.update(grads, transform.init(params), params)
  return updates["w"]


def test_paper_settings():
  assert PAPER.name == "rmsprop" and PAPER.momentum == 0.9 and PAPER.learning_rate == 1e-4


def test_rmsprop_matches_optax_when_not_clipped():
  opt = dataclasses.replace(PAPER, clip_global_norm=0.0)
  grads = {"w": jnp.array([0.1, -0.2, 0.3])}
  reference = optax.rmsprop(1e-4, decay=0.95, eps=1e-4, momentum=0.9, centered=True)
  expected, _ = reference.update(grads, reference.init({"w": jnp.zeros(3)}))
  np.testing.assert_allclose(_apply(opt, grads), expected["w"], rtol=1e-6)


def test_clipping_bounds_the_gradient():
  grads = {"w": jnp.array([300.0, -400.0, 0.0])}  # norm 500
  adam = dataclasses.replace(PAPER, name="adam", learning_rate=1.0, clip_global_norm=5.0)
  sgd_like = optimizers.make(adam)
  # Clipping happens first: the clipped gradient is 500 -> 5, scaled 1/100.
  clipped, _ = optax.clip_by_global_norm(5.0).update(grads, optax.EmptyState())
  np.testing.assert_allclose(optax.tree.norm(clipped), 5.0, rtol=1e-6)
  updates, _ = sgd_like.update(grads, sgd_like.init({"w": jnp.zeros(3)}))
  np.testing.assert_allclose(updates["w"], [-1.0, 1.0, 0.0], atol=1e-4)  # Adam: -sign


def test_unknown_optimizer():
  with pytest.raises(config_lib.ConfigError, match=r"^optimizer\.name"):
    optimizers.make(dataclasses.replace(PAPER, name="sgd"))


def test_learning_rate_decays_exponentially_to_the_final_value():
  opt = dataclasses.replace(PAPER, learning_rate=1e-3, decay_steps=100, final_learning_rate=1e-5)
  schedule = optimizers.learning_rate_schedule(opt)
  np.testing.assert_allclose(schedule(0), 1e-3, rtol=1e-6)
  np.testing.assert_allclose(schedule(50), 1e-4, rtol=1e-5)  # halfway in log space
  np.testing.assert_allclose(schedule(100), 1e-5, rtol=1e-5)
  np.testing.assert_allclose(schedule(1000), 1e-5, rtol=1e-5)  # constant after decay_steps
  assert optimizers.learning_rate_schedule(PAPER) == PAPER.learning_rate  # decay_steps 0


def test_learning_rate_cosine_decay_to_the_final_value():
  opt = dataclasses.replace(
    PAPER, learning_rate=1e-3, decay_steps=100, final_learning_rate=1e-5, decay_shape="cosine"
  )
  schedule = optimizers.learning_rate_schedule(opt)
  np.testing.assert_allclose(schedule(0), 1e-3, rtol=1e-6)
  np.testing.assert_allclose(schedule(50), (1e-3 + 1e-5) / 2, rtol=1e-5)  # halfway: the mean
  np.testing.assert_allclose(schedule(100), 1e-5, rtol=1e-5)
  np.testing.assert_allclose(schedule(1000), 1e-5, rtol=1e-5)


def test_negative_decay_steps_is_rejected_by_name():
  config = configs.base_config()
  config.optimizer.decay_steps = -1
  with pytest.raises(config_lib.ConfigError, match="optimizer.decay_steps"):
    config_lib.validate(config_lib.from_mapping(config))


def _norms_through(transform, norms):
  """Feeds gradients of the given global norms (direction fixed); returns the norms out."""
  params = {"w": jnp.zeros(2)}
  state = transform.init(params)
  out = []
  for norm in norms:
    grads = {"w": jnp.array([0.6, 0.8]) * norm}
    updates, state = transform.update(grads, state, params)
    out.append(float(optax.tree.norm(updates)))
  return np.array(out), state


def test_clip_spikes_scales_a_spike_to_mean_plus_z_std():
  ordinary = [1.0, 1.2] * 50  # mean 1.1, std 0.1
  out, state = _norms_through(optimizers.clip_spikes(z=3.0, decay=0.9), ordinary + [50.0, 1.1])
  np.testing.assert_allclose(out[:100], ordinary, rtol=1e-6)  # ordinary steps untouched
  assert 1.3 < out[100] < 1.5  # the spike: ~ mean 1.1 + 3 std
  assert out[101] == pytest.approx(1.1)  # and the next ordinary step passes again
  assert float(state.mean) < 1.2  # the spike did not raise the running mean much


def test_clip_spikes_waits_for_statistics_and_is_safe_at_zero():
  out, _ = _norms_through(optimizers.clip_spikes(z=1.0, decay=0.9), [1.0, 100.0, 0.0])
  np.testing.assert_allclose(out, [1.0, 100.0, 0.0])  # warm-up: 10 steps, nothing clipped
  out, state = _norms_through(optimizers.clip_spikes(z=1.0, decay=0.5), [0.0] * 5)
  assert np.all(out == 0.0) and np.isfinite(float(state.mean)) and float(state.var) == 0.0


def test_clip_spikes_is_chained_before_the_optimiser_by_config():
  opt = dataclasses.replace(PAPER, name="adam", clip_spikes=2.0, spike_decay=0.9)
  transform = optimizers.make(opt)
  state = transform.init({"w": jnp.zeros(3)})
  assert isinstance(state[0], optimizers.SpikeClipState)
  with pytest.raises(ValueError, match="z must be"):
    optimizers.clip_spikes(z=0.0)


def test_bad_spike_decay_is_rejected_by_name():
  config = configs.base_config()
  config.optimizer.clip_spikes = 3.0
  config.optimizer.spike_decay = 1.0
  with pytest.raises(config_lib.ConfigError, match="optimizer.spike_decay"):
    config_lib.validate(config_lib.from_mapping(config))


@pytest.mark.parametrize("name", ["adam", "rmsprop"])
def test_weight_decay_shrinks_parameters_without_gradient(name):
  opt = dataclasses.replace(PAPER, name=name, learning_rate=0.1, weight_decay=0.5)
  transform = optimizers.make(opt)
  params = {"w": jnp.array([1.0, -2.0])}
  state = transform.init(params)
  updates, _ = transform.update({"w": jnp.zeros(2)}, state, params)
  moved = np.asarray(updates["w"])
  assert np.all(np.sign(moved) == -np.sign(np.asarray(params["w"])))  # towards zero
  if name == "adam":  # decoupled: lr · decay · w, whatever the gradient statistics
    np.testing.assert_allclose(moved, [-0.05, 0.1], rtol=1e-6)


def test_negative_weight_decay_is_rejected_by_name():
  config = configs.base_config()
  config.optimizer.weight_decay = -1e-3
  with pytest.raises(config_lib.ConfigError, match="optimizer.weight_decay"):
    config_lib.validate(config_lib.from_mapping(config))


def test_amsgrad_keeps_the_largest_second_moment():
  def last_step(name):
    opt = dataclasses.replace(PAPER, name=name, learning_rate=1e-3, b2=0.9, clip_global_norm=0.0)
    transform = optimizers.make(opt)
    params = {"w": jnp.zeros(2)}
    state = transform.init(params)
    _, state = transform.update({"w": jnp.array([10.0, 10.0])}, state, params)
    for _ in range(300):  # then small gradients for a long time
      update, state = transform.update({"w": jnp.array([0.01, 0.01])}, state, params)
    return float(jnp.max(jnp.abs(update["w"])))

  # Adam's second moment decays, so a small gradient gets a large step again;
  # AMSGrad's denominator keeps the large gradient's scale.
  assert last_step("adam") > 5e-4  # about the learning rate
  assert last_step("amsgrad") < 0.1 * last_step("adam")
  amsgrad = dataclasses.replace(PAPER, name="amsgrad", weight_decay=0.1)
  with pytest.raises(config_lib.ConfigError, match="optimizer.weight_decay"):
    optimizers.make(amsgrad)


def test_scale_when_solved_latches_once_the_average_loss_is_below_the_threshold():
  transform = optimizers.scale_when_solved(threshold=0.5, scale=0.1, decay=0.5)
  params = {"w": jnp.zeros(2)}
  state = transform.init(params)
  grads = {"w": jnp.ones(2)}
  factors = []
  for loss in [2.0, 1.0, 0.1, 0.1, 0.1, 5.0, 5.0]:
    update, state = transform.update(grads, state, params, value=jnp.float32(loss))
    factors.append(float(update["w"][0]))
  # averages (bias-corrected): 2, 1.33, 0.66, 0.37 (below: solved from here on) ...
  np.testing.assert_allclose(factors, [1, 1, 1, 0.1, 0.1, 0.1, 0.1], rtol=1e-6)
  with pytest.raises(ValueError, match="scale"):
    optimizers.scale_when_solved(threshold=0.5, scale=0.0)


def test_proportional_schedule_follows_the_loss_down_and_never_back_up():
  transform = optimizers.scale_when_solved(
    threshold=1.0, scale=0.05, decay=0.5, schedule="proportional"
  )
  params = {"w": jnp.zeros(2)}
  state = transform.init(params)
  grads = {"w": jnp.ones(2)}
  factors = []
  for loss in [2.0, 0.5, 0.25, 0.25, 3.0, 0.0, 0.0, 0.0]:
    update, state = transform.update(grads, state, params, value=jnp.float32(loss))
    factors.append(float(update["w"][0]))
  # The bias-corrected averages are 2, 1, 0.57, 0.4, 1.74 (a rise), 0.86,
  # 0.43, 0.21: the factor is the lowest average so far, clipped to [0.05, 1].
  expected = [1.0, 1.0, 4 / 7, 0.4, 0.4, 0.4, 0.4, 0.2118]
  np.testing.assert_allclose(factors, expected, rtol=1e-3)
  assert factors[4] == pytest.approx(factors[3])  # latched through the rise
  assert factors[-1] < factors[3]
  with pytest.raises(ValueError, match="schedule"):
    optimizers.scale_when_solved(threshold=0.5, scale=0.1, schedule="cosine")


def test_solved_loss_drops_the_learning_rate_of_the_whole_optimizer():
  opt = dataclasses.replace(
    PAPER, name="adam", learning_rate=1e-3, solved_loss=2.0, solved_scale=0.1
  )
  transform = optimizers.make(opt)
  params = {"w": jnp.zeros(3)}
  state = transform.init(params)
  grads = {"w": jnp.array([1.0, -1.0, 0.5])}
  before, state = transform.update(grads, state, params, value=jnp.float32(3.0))
  after, _ = transform.update(grads, state, params, value=jnp.float32(0.01))  # average 1.43
  # Adam's first steps are ±lr (per sign); once solved they are ±lr/10.
  np.testing.assert_allclose(jnp.abs(before["w"]), 1e-3, rtol=1e-2)
  np.testing.assert_allclose(jnp.abs(after["w"]), 1e-4, rtol=2e-2)
  # Every optimiser accepts the loss, whether or not it uses it.
  plain = optimizers.make(dataclasses.replace(PAPER, clip_global_norm=0.0))
  plain.update(grads, plain.init(params), params, value=jnp.float32(1.0))


def test_gradient_noise_reaches_the_update():
  opt = dataclasses.replace(
    PAPER, name="adam", learning_rate=1.0, eps=1e-8, gradient_noise=1.0, clip_global_norm=0.0
  )
  transform = optimizers.make(opt)
  params = {"w": jnp.zeros(1000)}
  state = transform.init(params)
  zeros = {"w": jnp.zeros(1000)}
  first, state = transform.update(zeros, state, params)
  assert np.std(np.asarray(first["w"])) > 0.5  # Adam's first step: ±1 where the noise points
  plain = optimizers.make(dataclasses.replace(opt, gradient_noise=0.0))
  silent, _ = plain.update(zeros, plain.init(params), params)
  assert not np.any(np.asarray(silent["w"]))


def test_negative_gradient_noise_is_rejected_by_name():
  config = configs.base_config()
  config.optimizer.gradient_noise = -1.0
  with pytest.raises(config_lib.ConfigError, match="optimizer.gradient_noise"):
    config_lib.validate(config_lib.from_mapping(config))


def test_a_config_without_the_gradient_noise_fields_still_loads():
  config = configs.base_config().to_dict()
  del config["optimizer"]["gradient_noise"], config["optimizer"]["gradient_noise_decay"]
  assert config_lib.from_mapping(config).optimizer.gradient_noise == 0.0
