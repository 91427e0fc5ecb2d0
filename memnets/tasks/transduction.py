"""The transduction tasks of Grefenstette et al. 2015, "Learning to Transduce with
Unbounded Memory" (NeurIPS), §4 and App. C.

Every task maps a source string to a target string followed by an end symbol
(EOS); models are trained on source lengths 8..64 and tested on 65..128 (§4.1,
§4.3). Three synthetic tasks draw each of the source's symbols uniformly from
128 symbols (§4.1):
- transduction_copy: a_1 ... a_k -> a_1 ... a_k.
- transduction_reversal: a_1 ... a_k -> a_k ... a_1.
- bigram_flipping: a_1 a_2 a_3 a_4 ... a_{k-1} a_k -> a_2 a_1 a_4 a_3 ... a_k a_{k-1};
  the paper restricts the source to even lengths, so an odd requested length k
  gives a source of k - 1 symbols.
Two tasks sample source and target jointly from the inversion transduction
grammars of App. C, Table 1 (`SVO_GRAMMAR`, `GENDER_GRAMMAR`), where each word
class has 100/k equiprobable words for k classes:
- svo_to_sov: subjects, objects, verbs and relative clauses; the main verb moves
  from after the subject to the end of the sentence.
- gender_conjugation: English-like noun phrases "the/a noun" joined by "and" /
  "or" with verbs; the target is German-like: every article takes the gender of
  its noun (der/die/das, ein/eine/ein), and -> und, or -> oder.

The layout in time is the Chomsky suite's (`encoding`): the source's n symbols,
then n + 1 output steps (the flag channel on) whose targets are the target
string and EOS, all scored. The paper's metrics (§4.3) are `coarse_accuracy`
(the whole target and EOS right: `metrics.sequence_accuracy`) and
`fine_accuracy` (the fraction of the target and EOS right before the first
error).

How we differ from the paper, and why:
- The paper feeds one joint sequence "<s> source ||| target </s>" and feeds back
  the target symbols (its own predictions at test time); here the output phase
  is blank apart from the flag channel (the Chomsky suite's convention, so every
  memnets model runs unchanged). The start symbol is implicit (t = 0) and the
  flag plays the separator.
- The ITG tasks: the paper rejects grammar samples outside 8..64 (65..128 for
  testing), so lengths follow the grammar's own distribution (tuned by hand to be
  "relatively uniform"); we draw the length like every memnets task and sample
  the grammar conditioned on it (`itg.derive`), which is rejection sampling's
  distribution at each length.
- Word classes have 33 (SVO) and 25 (gender) words: Table 1's rule probabilities
  1/33 and 1/25 (100/k words per class; §4.2's text says about 128/k).
- Table 1b prints the third B rule "B -> B1 V1 | B1 V1"; we read B -> B V. The
  gender sample printed in §4.2 ("we11 the en19 and the em17") is a V of this
  table, not a sentence.
"""

import abc

import jax
import jax.numpy as jnp

from memnets.tasks import itg, metrics
from memnets.tasks.chomsky import encoding

TRAIN_LENGTHS = (8, 64)  # §4.1: source lengths unif{8, 64}
TEST_LENGTHS = tuple(range(65, 129))  # §4.3: source lengths unif{65, 128}
EVEN_TEST_LENGTHS = tuple(range(66, 129, 2))  # bigram flipping: even sources only

NUM_SYMBOLS = 128  # §4.1: "a vocabulary of 128 meaningless symbols"
SYMBOL_EOS = NUM_SYMBOLS  # target class of the end symbol

# SVO -> SOV vocabulary (App. C, Table 1a: p = 1/33 per terminal of 3 classes);
# a target word has its source word's id.
SVO_CLASS_SIZE = 33
SUBJECT, OBJECT, VERB = 0, SVO_CLASS_SIZE, 2 * SVO_CLASS_SIZE  # first token of each class
RELATIVE_PRONOUN = 3 * SVO_CLASS_SIZE  # rpi (source), rpo (target)
SVO_VOCAB_SIZE = RELATIVE_PRONOUN + 1
SVO_EOS = SVO_VOCAB_SIZE

# Gender conjugation vocabulary (Table 1b: p = 1/25 per terminal of 4 classes).
GENDER_CLASS_SIZE = 25
THE, A, AND, OR = range(4)  # source function words
VERB_EN, MASCULINE_EN, FEMININE_EN, NEUTER_EN = (4 + i * GENDER_CLASS_SIZE for i in range(4))
GENDER_SOURCE_VOCAB_SIZE = 4 + 4 * GENDER_CLASS_SIZE
DER, DIE, DAS, EIN, EINE, UND, ODER = range(7)  # target function words
VERB_DE, MASCULINE_DE, FEMININE_DE, NEUTER_DE = (7 + i * GENDER_CLASS_SIZE for i in range(4))
GENDER_TARGET_VOCAB_SIZE = 7 + 4 * GENDER_CLASS_SIZE
GENDER_EOS = GENDER_TARGET_VOCAB_SIZE

_R, _W = itg.Rule, itg.Word
_SUBJECT = _W(SUBJECT, SUBJECT, SVO_CLASS_SIZE)
_OBJECT = _W(OBJECT, OBJECT, SVO_CLASS_SIZE)
_VERB = _W(VERB, VERB, SVO_CLASS_SIZE)
_RELATIVE = ("S", _W(RELATIVE_PRONOUN, RELATIVE_PRONOUN), "S", _VERB)  # S rpi S VT

# Table 1a. A -> S VT O | S O VT; subjects and objects are sequences and relative
# clauses "S rpi S VT" (kept in order on both sides).
SVO_GRAMMAR = itg.Grammar(
  root="A",
  rules=(
    _R("A", 1.0, ("S", _VERB, "O"), (0, 2, 1)),
    _R("S", 1 / 5, ("S", "S"), (0, 1)),
    _R("S", 1 / 5, _RELATIVE, (0, 1, 2, 3)),
    _R("S", 3 / 5, (_SUBJECT,), (0,)),
    _R("O", 1 / 5, ("O", "O"), (0, 1)),
    _R("O", 1 / 5, _RELATIVE, (0, 1, 2, 3)),
    _R("O", 3 / 5, (_OBJECT,), (0,)),
  ),
)

_VERB_EN_DE = _W(VERB_EN, VERB_DE, GENDER_CLASS_SIZE)
_NOUN_PHRASES = tuple(
  _R("S", 1 / 6, (_W(article_en, article_de), _W(noun_en, noun_de, GENDER_CLASS_SIZE)), (0, 1))
  for article_en, articles_de in ((THE, (DER, DIE, DAS)), (A, (EIN, EINE, EIN)))
  for article_de, (noun_en, noun_de) in zip(
    articles_de,
    ((MASCULINE_EN, MASCULINE_DE), (FEMININE_EN, FEMININE_DE), (NEUTER_EN, NEUTER_DE)),
    strict=True,
  )
)

# Table 1b, every rule order-preserving (B -> B V: see the module docstring).
GENDER_GRAMMAR = itg.Grammar(
  root="A",
  rules=(
    _R("A", 1.0, ("B",), (0,)),
    _R("B", 1 / 4, ("B", _W(OR, ODER), "B"), (0, 1, 2)),
    _R("B", 1 / 4, ("S", _W(AND, UND), "S"), (0, 1, 2)),
    _R("B", 1 / 2, ("B", "V"), (0, 1)),
    _R("V", 3 / 4, (_VERB_EN_DE, "B"), (0, 1)),
    _R("V", 1 / 4, (_VERB_EN_DE,), (0,)),
    *_NOUN_PHRASES,
  ),
)


def _with_eos(tokens_BxL: jax.Array, lengths_B: jax.Array, eos: int) -> jax.Array:
  """[B, L + 1]: each row's first `lengths` tokens, then `eos`, then zeros."""
  padded_BxM = jnp.pad(tokens_BxL, ((0, 0), (0, 1)))
  pos_BxM = encoding.positions(*padded_BxM.shape)
  body_BxM = jnp.where(pos_BxM < lengths_B[:, None], padded_BxM, 0)
  return jnp.where(pos_BxM == lengths_B[:, None], eos, body_BxM)


class _TransductionTask(encoding.ChomskyTask):
  """A source string, then its transduction and EOS, every output step scored."""

  def __init__(
    self,
    train_lengths: tuple[int, int] = TRAIN_LENGTHS,
    test_lengths: tuple[int, ...] = TEST_LENGTHS,
  ):
    """Initialises.

    Args:
      train_lengths: closed `(min, max)` range of training source lengths (the paper's 8..64).
      test_lengths: source lengths of the generalisation sweep (the paper's 65..128).
    """
    super().__init__(train_lengths=train_lengths, test_lengths=test_lengths)

  def output_length(self, length):
    return length + 1

  def _strings(self, source_BxL, target_BxL, lengths_B, eos) -> encoding.Strings:
    outputs_BxM = _with_eos(target_BxL, lengths_B, eos)
    return encoding.Strings(source_BxL, lengths_B, outputs_BxM, lengths_B + 1, lengths_B + 1)


class _SymbolTask(_TransductionTask):
  """A uniform string over 128 symbols and a fixed rearrangement of it."""

  input_vocab_size = NUM_SYMBOLS
  output_size = NUM_SYMBOLS + 1

  def source_lengths(self, lengths_B: jax.Array) -> jax.Array:
    """The source length of each requested length."""
    return lengths_B

  @abc.abstractmethod
  def source_positions(self, pos_BxL: jax.Array, lengths_B: jax.Array) -> jax.Array:
    """Target position j holds the source token at `source_positions[:, j]`."""

  def generate(self, key, lengths, max_length):
    batch_size = lengths.shape[0]
    lengths_B = self.source_lengths(jnp.clip(lengths, self.min_length, max_length))
    source_BxL = jax.random.randint(key, (batch_size, max_length), 0, NUM_SYMBOLS)
    pos_BxL = encoding.positions(batch_size, max_length)
    from_BxL = jnp.clip(self.source_positions(pos_BxL, lengths_B[:, None]), 0, max_length - 1)
    target_BxL = jnp.take_along_axis(source_BxL, from_BxL, axis=1)
    return self._strings(source_BxL, target_BxL, lengths_B, SYMBOL_EOS)


class TransductionCopy(_SymbolTask):
  """Copy a string of symbols (§4.1, "Sequence Copying")."""

  name = "transduction_copy"

  def source_positions(self, pos_BxL, lengths_B):
    return pos_BxL


class TransductionReversal(_SymbolTask):
  """Reverse a string of symbols (§4.1, "Sequence Reversal")."""

  name = "transduction_reversal"

  def source_positions(self, pos_BxL, lengths_B):
    return lengths_B - 1 - pos_BxL


class BigramFlipping(_SymbolTask):
  """Swap symbols 2i - 1 and 2i of an even-length string (§4.1, "Bigram flipping")."""

  name = "bigram_flipping"

  def __init__(
    self,
    train_lengths: tuple[int, int] = TRAIN_LENGTHS,
    test_lengths: tuple[int, ...] = EVEN_TEST_LENGTHS,
  ):
    """Initialises; as `_TransductionTask`, testing on the even lengths 66..128 by default."""
    super().__init__(train_lengths=train_lengths, test_lengths=test_lengths)

  @property
  def min_length(self) -> int:
    return 2

  def source_lengths(self, lengths_B):
    return lengths_B - lengths_B % 2

  def source_positions(self, pos_BxL, lengths_B):
    return pos_BxL + 1 - 2 * (pos_BxL % 2)


class _GrammarTask(_TransductionTask):
  """Source and target sampled from an ITG, conditioned on the source length."""

  grammar: itg.Grammar
  eos: int

  def generate(self, key, lengths, max_length):
    lengths_B = jnp.clip(lengths, self.min_length, max_length)
    source_BxL, target_BxL = itg.derive(self.grammar, key, lengths_B, max_length)
    return self._strings(source_BxL, target_BxL, lengths_B, self.eos)


class SvoToSov(_GrammarTask):
  """Move the main verb of a subject-verb-object sentence to the end (§4.2, App. C)."""

  name = "svo_to_sov"
  grammar = SVO_GRAMMAR
  input_vocab_size = SVO_VOCAB_SIZE
  output_size = SVO_VOCAB_SIZE + 1
  eos = SVO_EOS

  @property
  def min_length(self) -> int:
    return 3  # subject, verb, object


class GenderConjugation(_GrammarTask):
  """Give each article its noun's gender, English-like to German-like (§4.2, App. C)."""

  name = "gender_conjugation"
  grammar = GENDER_GRAMMAR
  input_vocab_size = GENDER_SOURCE_VOCAB_SIZE
  output_size = GENDER_TARGET_VOCAB_SIZE + 1
  eos = GENDER_EOS

  @property
  def min_length(self) -> int:
    return 5  # "the noun and the noun"


def coarse_accuracy(logits: jax.Array, targets: jax.Array, mask: jax.Array) -> jax.Array:
  """§4.3 coarse accuracy: 1.0 where every scored step (target and EOS) is right: [B]."""
  return metrics.sequence_accuracy(logits, targets, mask)


def fine_accuracy(logits: jax.Array, targets: jax.Array, mask: jax.Array) -> jax.Array:
  """§4.3 fine accuracy: #correct_i / |target_i|, counting right steps before the first error: [B].

  `metrics.prefix_accuracy`; a sequence with no scored steps scores 1.0, as
  in `coarse_accuracy`.
  """
  return metrics.prefix_accuracy(logits, targets, mask)


_CLASSES = (TransductionCopy, TransductionReversal, BigramFlipping, SvoToSov, GenderConjugation)
TASKS = {cls.name: cls for cls in _CLASSES}
