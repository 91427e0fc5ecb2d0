"""Tests of memnets.figures.dnc: a DNC's memory internals over one sequence."""

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from helpers import png, smoke_workdir

from memnets import DNCCell
from memnets.figures import canvas, dnc, workdir
from memnets.training import checkpoints


def test_plot_dnc_draws_a_trace_with_a_map_per_read_head(tmp_path):
  cell = DNCCell(3, 2, controller_size=8, memory_size=6, word_size=4, num_read_heads=2,
                 rngs=nnx.Rngs(0))  # fmt: skip
  trace = cell.trace(jax.random.normal(jax.random.key(0), (1, 7, 3)))
  trace = jax.tree.map(lambda x: np.asarray(x[0]), trace)
  one_head = dict(trace, read_weights=trace["read_weights"][:, :1], free_gates=trace["free_gates"][:, :1],
                  read_modes=trace["read_modes"][:, :1])  # fmt: skip
  _, two = png.png_size(dnc.plot_dnc(tmp_path / "two.png", trace, title="dnc"))
  _, one = png.png_size(dnc.plot_dnc(tmp_path / "one.png", one_head))
  # One more head: one more weighting map and one more read-mode panel.
  extra = (dnc.MAP_HEIGHT + dnc.LINE_HEIGHT) * canvas.DPI
  np.testing.assert_allclose(two - one, extra, atol=2)


def test_write_figures_of_a_dnc_workdir_adds_the_memory_figure(tmp_path):
  path = tmp_path / "run"
  smoke_workdir.make_workdir(path, config_name="dnc_copy")
  written = workdir.write_figures(path)
  assert [p.name for p in written] == [workdir.EXAMPLE_PNG, workdir.DNC_PNG]
  png.png_size(written[1])
  arrays = workdir.example_arrays(checkpoints.restore_latest(path), 3)
  assert arrays["write_weights"].ndim == 3 and arrays["memory"].shape == (8, 4)
  assert jnp.all(jnp.isfinite(arrays["memory"]))
