"""memnets' experiment binaries, their configs and the benchmark programs.

Binaries (`python -m experiments.<name>`): `train`, `evaluate`, `visualize`,
`demo`, `benchmark`, `solve_copy`, `generate_babi`, `compare_babi`, `platform`. Each
`main` that runs JAX (all but the two bAbI ones) calls `platform.setup()` first;
importing this package, a binary or a config file changes nothing in the
process.
"""
