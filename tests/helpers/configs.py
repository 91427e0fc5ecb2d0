"""Small training configs for the benchmark tests: a paper config's `:smoke` model at one length."""

from memnets.training import config as config_lib


def tiny_config(module, batch_size=2, length=3, **changes):
  """`module`'s smoke config at one fixed `length`; `changes` as section__field=value."""
  config = module.get_config("smoke")
  config.task.curriculum = "fixed"
  config.task.min_length = length
  config.task.max_length = length
  config.train.batch_size = batch_size
  for dotted, value in changes.items():
    section, field = dotted.split("__")
    config[section][field] = value
  return config_lib.from_mapping(config)
