"""Images as sequences: scikit-learn's 8x8 digits read row by row or pixel by pixel.

The 1,797 images of `sklearn.datasets.load_digits` (the digits 0–9, 8x8
pixels of 0–16, bundled with scikit-learn: nothing is downloaded) become
sequences a recurrent model reads one step at a time:
- `scan="rows"`: the 8 rows, top first, as T = 8 steps of I = 8 pixels;
- `scan="pixels"`: the 64 pixels in row-major order, T = 64 steps of I = 1
  (the "sequential MNIST" reading, at 8x8).
Pixel values are scaled to [0, 1]. The class is scored at the last step only:
there the mask is 1 and the target the one-hot label (10 classes); every
earlier step has mask 0 and a zero target. The mask alone decides what is
scored, so the inputs need no end-of-image marker.

Split: a permutation of the 1,797 images seeded by `SPLIT_SEED` puts its first
`NUM_TEST` = 360 images in the test split and the other 1,437 in the training
split, the same in every run. The images are loaded once per process and held
by the task as device arrays, indexed by the sampler's key:
- `sample_train_lengths` (every training batch): B training images drawn
  uniformly with replacement;
- `sample_lengths` (and so `sample`: the training loop's evaluation and the
  length sweeps): test images in a fresh random order, without replacement
  and cycling through the split when B > 360, so an evaluation batch of 360
  scores every test image exactly once.

Lengths: an image's sequence length is fixed by the scan, so the only length
the task accepts (`check_length`) is T; a config's min_length, max_length and
eval_lengths are all T, and the lengths' values are not read.
"""

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from memnets.tasks import base

IMAGE_SIZE = 8  # the images are IMAGE_SIZE x IMAGE_SIZE pixels
NUM_PIXELS = IMAGE_SIZE * IMAGE_SIZE
MAX_PIXEL = 16.0  # pixel values are integers 0..16
NUM_CLASSES = 10
NUM_IMAGES = 1797
NUM_TEST = 360  # 20% of the images, rounded to a batch-friendly count
NUM_TRAIN = NUM_IMAGES - NUM_TEST  # 1,437
SPLIT_SEED = 0  # seed of the permutation that fixes the split
# Pixels per time step of each scan; T = NUM_PIXELS / pixels per step.
SCANS = {"rows": IMAGE_SIZE, "pixels": 1}


class Split(NamedTuple):
  """One split of the digits: images [N, 8, 8] float32 in [0, 1], labels [N] int32."""

  images: np.ndarray
  labels: np.ndarray
  indices: np.ndarray  # [N] the images' positions in load_digits' order


def split_indices(num_images: int = NUM_IMAGES) -> tuple[np.ndarray, np.ndarray]:
  """(train [num_images − NUM_TEST], test [NUM_TEST]) image positions, from SPLIT_SEED."""
  order = np.random.default_rng(SPLIT_SEED).permutation(num_images)
  return order[NUM_TEST:], order[:NUM_TEST]


@functools.cache
def load() -> dict[str, Split]:
  """`{"train": Split, "test": Split}` of the bundled digits (read once per process)."""
  # Imported here, not at the top: scikit-learn takes about a second to import,
  # which every process that imports memnets.tasks would otherwise pay.
  from sklearn import datasets

  digits = datasets.load_digits()
  images = (digits.images / MAX_PIXEL).astype(np.float32)
  labels = digits.target.astype(np.int32)
  splits = {}
  for name, indices in zip(("train", "test"), split_indices(len(labels)), strict=True):
    split = Split(images[indices], labels[indices], indices)
    for array in split:
      array.setflags(write=False)  # shared by every task of the process
    splits[name] = split
  return splits


class Digits(base.Task):
  """Classify an 8x8 digit read as a sequence of rows (`scan="rows"`) or pixels ("pixels")."""

  name = "digits"
  output_size = NUM_CLASSES
  loss = "categorical"

  def __init__(self, scan: str = "rows"):
    if scan not in SCANS:
      raise ValueError(f"scan: unknown scan {scan!r}; known: {sorted(SCANS)}")
    self.scan = scan
    self.input_size = SCANS[scan]
    self.length = NUM_PIXELS // self.input_size  # T, the steps of one image
    self.train_lengths = (self.length, self.length)
    self.test_lengths = (self.length,)
    splits = load()
    self.train_inputs, self.train_labels = self._device(splits["train"])
    self.test_inputs, self.test_labels = self._device(splits["test"])

  def _device(self, split: Split) -> tuple[jax.Array, jax.Array]:
    """(inputs [N, T, I], labels [N]) on the default device."""
    inputs_NxTxI = split.images.reshape(len(split.labels), self.length, self.input_size)
    return jnp.asarray(inputs_NxTxI), jnp.asarray(split.labels)

  @property
  def min_length(self) -> int:
    return self.length

  def check_length(self, length: int) -> None:
    """Raises ValueError unless `length` is the scan's T (8 rows or 64 pixels)."""
    if int(length) != self.length:
      raise ValueError(
        f"{self.name}: length {length} is not the {self.length} steps of the {self.scan!r} scan"
      )

  def num_steps(self, max_length: int) -> int:
    self.check_length(max_length)
    return self.length

  def _batch(self, inputs_NxTxI: jax.Array, labels_N: jax.Array, index_B: jax.Array) -> base.Batch:
    """The images `index_B` of a split, their label one-hot at the last step."""
    last_T = (jnp.arange(self.length) == self.length - 1).astype(jnp.float32)
    one_hot_BxO = jax.nn.one_hot(labels_N[index_B], NUM_CLASSES, dtype=jnp.float32)
    targets_BxTxO = one_hot_BxO[:, None, :] * last_T[None, :, None]
    mask_BxT = jnp.broadcast_to(last_T, (index_B.shape[0], self.length))
    return base.Batch(inputs_NxTxI[index_B], targets_BxTxO, mask_BxT)

  def sample_train_lengths(self, key: jax.Array, lengths: jax.Array, max_length: int) -> base.Batch:
    """B = len(lengths) training images drawn uniformly with replacement."""
    self.check_length(max_length)
    index_B = jax.random.randint(key, (lengths.shape[0],), 0, NUM_TRAIN)
    return self._batch(self.train_inputs, self.train_labels, index_B)

  def sample_lengths(self, key: jax.Array, lengths: jax.Array, max_length: int) -> base.Batch:
    """B = len(lengths) test images in random order, each once per pass over the 360."""
    self.check_length(max_length)
    order = jax.random.permutation(key, NUM_TEST)
    index_B = order[jnp.arange(lengths.shape[0]) % NUM_TEST]
    return self._batch(self.test_inputs, self.test_labels, index_B)


TASKS = {"digits": Digits}
