"""Figures of trained runs, drawn with matplotlib's object-oriented API (Agg, no pyplot).

- `sweep.plot_sweep`: error or accuracy against length, the training range shaded;
  `sweep.plot_models`: several models' curves on one panel.
- `example.plot_example`: one sequence in the style of Graves et al. 2014, Fig. 6:
  inputs, targets, outputs, head weightings over time and the final memory.
- `dnc.plot_dnc`: a DNC's write and read weightings, usage, gates, read modes
  and final link matrix over one sequence.
- `curves.plot_learning_curves`: loss and error metric against step, per seed.
- `workdir.write_figures`: the example and learning-curve figures of a workdir.

Every function writes a PNG to the path it is given and returns that path.
"""

from memnets.figures import canvas, curves, dnc, example, sweep, workdir

__all__ = ["canvas", "curves", "dnc", "example", "sweep", "workdir"]
