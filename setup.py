"""Packaging for memnets: memory-augmented neural networks in JAX/Flax."""

import setuptools

setuptools.setup(
  name="memnets",
  version="0.1.0",
  description="Memory-augmented neural networks (NTM, DNC, stacks, ...) in JAX/Flax.",
  python_requires=">=3.11",
  packages=setuptools.find_packages(
    include=["memnets", "memnets.*", "experiments", "experiments.*"]
  ),
  install_requires=[
    "jax>=0.10,<0.11",
    "jaxlib>=0.10,<0.11",
    "flax>=0.12,<0.13",
    "optax>=0.2.8",
    "chex>=0.1.90",
    "orbax-checkpoint>=0.12",
    "absl-py>=2.1",
    "ml-collections>=1.0",
    "tensorboardX>=2.6",
    "matplotlib>=3.8",
    "scikit-learn>=1.3",  # bundles the 8x8 digits of memnets.tasks.digits
  ],
  extras_require={"test": ["pytest>=8"]},
)
