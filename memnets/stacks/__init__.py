"""Stack-, queue- and tape-augmented recurrent networks.

- `neural`: the continuous stack, queue and deque of Grefenstette et al.
  2015 (§3); one example, no Flax.
- `neural_cell`: `NeuralStackCell`, a controller with a neural stack, queue
  or deque (§3.4).
- `stack_rnn`: the Stack-RNN (Joulin & Mikolov 2015) as Delétang et al. 2023
  run it: push / pop / no-op mixed by a softmax, the top read.
- `ndstack_rnn`: the nondeterministic stack RNN (DuSell & Chiang 2020) as
  Delétang et al. 2023 run it: a weighted pushdown automaton summed over all
  its runs (O(T²) memory, O(T³) time).
- `tape_rnn`: the Tape-RNN of Delétang et al. 2023: a tape written under a
  head that moves one cell or jumps by the input length.

Their memories grow to each run's length (`sized_by_length`, see
`memnets.unrolling.initial_state`).
"""

from memnets.stacks import ndstack_rnn, neural, neural_cell, stack_rnn, tape_rnn
from memnets.stacks.ndstack_rnn import NDStackRNNCell, NDStackRNNState
from memnets.stacks.neural_cell import NeuralStackCell, NeuralStackState
from memnets.stacks.stack_rnn import StackRNNCell, StackRNNState
from memnets.stacks.tape_rnn import TapeRNNCell, TapeRNNState

__all__ = [
  "NDStackRNNCell",
  "NDStackRNNState",
  "NeuralStackCell",
  "NeuralStackState",
  "StackRNNCell",
  "StackRNNState",
  "TapeRNNCell",
  "TapeRNNState",
  "ndstack_rnn",
  "neural",
  "neural_cell",
  "stack_rnn",
  "tape_rnn",
]
