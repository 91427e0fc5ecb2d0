"""What `python -m experiments.benchmark` times, and how.

- `programs`: the compiled programs timed (the library's training step and
  forward pass, and the reference models beside them).
- `plain_ntm`: a straightforward JAX NTM, the reference for memnets' `NTMCell`.
- `timing`: timing one case (medians), peak memory, profiles, the table.
"""
