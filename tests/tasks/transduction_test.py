"""Tests of the transduction tasks of Grefenstette et al. 2015 (§4, App. C).

Every task is sampled at a spread of lengths in one padded batch, decoded back
to token strings (`encoding.decode`) and compared with plain-Python
transductions; the grammar tasks' sources are also parsed with a recogniser of
the paper's grammars written out here, independently of `itg`.
"""

import functools
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import base, itg, metrics
from memnets.tasks import transduction as tr
from memnets.tasks.chomsky import encoding

NAMES = tuple(tr.TASKS)
LENGTHS = (1, 2, 3, 5, 8, 9, 16, 17, 31, 40, 63, 64)
MAX_LENGTH = 64
PARSED_LENGTH = 40  # sources up to this length are parsed (the recogniser is cubic)
EOS = {
  "transduction_copy": tr.SYMBOL_EOS,
  "transduction_reversal": tr.SYMBOL_EOS,
  "bigram_flipping": tr.SYMBOL_EOS,
  "svo_to_sov": tr.SVO_EOS,
  "gender_conjugation": tr.GENDER_EOS,
}


@functools.cache
def _sampler(name):
  task = tr.TASKS[name]()
  return task, jax.jit(task.sample_lengths, static_argnums=2)


def _batch(name, seed=0):
  task, sample = _sampler(name)
  lengths = tuple(max(n, task.min_length) for n in LENGTHS)
  return task, lengths, sample(jax.random.key(seed), jnp.array(lengths), MAX_LENGTH)


def _in(token, first, size=1):
  return first <= token < first + size


def _class(first, size=1):
  """The token predicate of a word class."""
  return functools.partial(_in, first=first, size=size)


_subject = _class(tr.SUBJECT, tr.SVO_CLASS_SIZE)
_object = _class(tr.OBJECT, tr.SVO_CLASS_SIZE)
_verb = _class(tr.VERB, tr.SVO_CLASS_SIZE)
_relative = _class(tr.RELATIVE_PRONOUN)


def main_verb(tokens):
  """Index of the SVO main verb: the first verb that closes no relative clause."""
  open_clauses = 0
  for i, token in enumerate(tokens):
    if _relative(token):
      open_clauses += 1
    elif _verb(token):
      if open_clauses == 0:
        return i
      open_clauses -= 1
  raise AssertionError(f"no main verb in {tokens}")


def sov(tokens):
  """SVO -> SOV: the main verb moves to the end; every word keeps its index."""
  i = main_verb(tokens)
  return tokens[:i] + tokens[i + 1 :] + [tokens[i]]


GENDERS = (
  (tr.MASCULINE_EN, tr.MASCULINE_DE),
  (tr.FEMININE_EN, tr.FEMININE_DE),
  (tr.NEUTER_EN, tr.NEUTER_DE),
)
ARTICLES = {tr.THE: (tr.DER, tr.DIE, tr.DAS), tr.A: (tr.EIN, tr.EINE, tr.EIN)}
CONJUNCTIONS = {tr.AND: tr.UND, tr.OR: tr.ODER}
_noun = lambda t: any(_in(t, en, tr.GENDER_CLASS_SIZE) for en, _ in GENDERS)  # noqa: E731
_verb_en = _class(tr.VERB_EN, tr.GENDER_CLASS_SIZE)


def german(tokens):
  """Each article takes its noun's gender; and -> und, or -> oder; content words keep their index."""
  out = []
  for i, token in enumerate(tokens):
    if token in ARTICLES:
      gender = next(
        g for g, (en, _) in enumerate(GENDERS) if _in(tokens[i + 1], en, tr.GENDER_CLASS_SIZE)
      )
      out.append(ARTICLES[token][gender])
    elif token in CONJUNCTIONS:
      out.append(CONJUNCTIONS[token])
    else:
      pairs = ((tr.VERB_EN, tr.VERB_DE), *GENDERS)
      out.append(next(de + token - en for en, de in pairs if _in(token, en, tr.GENDER_CLASS_SIZE)))
  return out


REFERENCE = {
  "transduction_copy": lambda s: s,
  "transduction_reversal": lambda s: s[::-1],
  "bigram_flipping": lambda s: [s[i + 1 - 2 * (i % 2)] for i in range(len(s))],
  "svo_to_sov": sov,
  "gender_conjugation": german,
}

# The source sides of the paper's grammars (App. C, Table 1): nonterminal names
# and token predicates.
SVO_RULES = {
  "A": (("S", _verb, "O"),),
  "S": (("S", "S"), ("S", _relative, "S", _verb), (_subject,)),
  "O": (("O", "O"), ("S", _relative, "S", _verb), (_object,)),
}
GENDER_RULES = {
  "B": (("B", _class(tr.OR), "B"), ("S", _class(tr.AND), "S"), ("B", "V")),
  "V": ((_verb_en, "B"), (_verb_en,)),
  "S": ((lambda t: t in ARTICLES, _noun),),
}
PARSE = {"svo_to_sov": (SVO_RULES, "A"), "gender_conjugation": (GENDER_RULES, "B")}


def derives(rules, symbol, tokens):
  """Does `symbol` derive exactly `tokens` under `rules`? (Every item covers >= 1 token.)"""

  @functools.cache
  def nonterminal(name, i, j):
    return any(sequence(rhs, i, j) for rhs in rules[name])

  @functools.cache
  def sequence(items, i, j):
    if not items:
      return i == j
    head, rest = items[0], items[1:]
    if isinstance(head, str):
      ends = range(i + 1, j + 1 - len(rest))
      return any(nonterminal(head, i, k) and sequence(rest, k, j) for k in ends)
    return i < j and head(tokens[i]) and sequence(rest, i + 1, j)

  return nonterminal(symbol, 0, len(tokens))


def test_tasks_have_the_papers_protocol():
  for name in NAMES:
    task = tr.TASKS[name]()
    assert isinstance(task, base.Task) and task.name == name and task.loss == "categorical"
    assert task.train_lengths == (8, 64)
    assert task.input_size == task.input_vocab_size + 1
    assert task.output_size == EOS[name] + 1
  assert tr.TASKS["transduction_copy"]().test_lengths == tuple(range(65, 129))
  assert tr.TASKS["bigram_flipping"]().test_lengths == tuple(range(66, 129, 2))
  assert tr.NUM_SYMBOLS == 128
  for name, grammar in (("svo_to_sov", tr.SVO_GRAMMAR), ("gender_conjugation", tr.GENDER_GRAMMAR)):
    assert tr.TASKS[name]().min_length == itg.lengths(grammar, 128)[0]


@pytest.mark.parametrize("name", NAMES)
def test_layout_lengths_and_known_answers(name):
  task, lengths, batch = _batch(name, seed=1)
  steps = task.num_steps(MAX_LENGTH)
  assert steps == 2 * MAX_LENGTH + 1
  assert batch.inputs.shape == (len(lengths), steps, task.input_size)
  assert batch.targets.shape == (len(lengths), steps, task.output_size)
  examples = encoding.decode(batch)
  expected_lengths = [n - n % 2 if name == "bigram_flipping" else n for n in lengths]
  assert [len(e.inputs) for e in examples] == expected_lengths
  for example in examples:
    n = len(example.inputs)
    assert example.output_steps == n + 1 and example.scored == example.targets
    assert example.targets == REFERENCE[name](example.inputs) + [EOS[name]], example
    assert max(example.inputs) < task.input_vocab_size


@pytest.mark.parametrize("name", ("svo_to_sov", "gender_conjugation"))
def test_grammar_sources_parse_under_the_papers_grammar(name):
  rules, root = PARSE[name]
  _, _, batch = _batch(name, seed=2)
  parsed = [e.inputs for e in encoding.decode(batch) if len(e.inputs) <= PARSED_LENGTH]
  assert len(parsed) >= 8
  for tokens in parsed:
    assert derives(rules, root, tokens), tokens


def test_the_papers_examples():
  # §4.2: si1 vi28 oi5 oi7 si15 rpi si19 vi16 oi10 oi24 ||| so1 oo5 oo7 so15 rpo so19 vo16 oo10 oo24 vo28
  rp = tr.RELATIVE_PRONOUN
  s, o, v = ((lambda i, first=first: first + i - 1) for first in (tr.SUBJECT, tr.OBJECT, tr.VERB))
  source = [s(1), v(28), o(5), o(7), s(15), rp, s(19), v(16), o(10), o(24)]
  assert sov(source) == [s(1), o(5), o(7), s(15), rp, s(19), v(16), o(10), o(24), v(28)]
  assert derives(SVO_RULES, "A", source) and not derives(SVO_RULES, "A", sov(source))
  # §4.2: we11 the en19 and the em17 ||| wg11 das gn19 und der gm17: under Table 1b a
  # verb with its object (V), not a whole sentence.
  source = [tr.VERB_EN + 10, tr.THE, tr.NEUTER_EN + 18, tr.AND, tr.THE, tr.MASCULINE_EN + 16]
  target = [tr.VERB_DE + 10, tr.DAS, tr.NEUTER_DE + 18, tr.UND, tr.DER, tr.MASCULINE_DE + 16]
  assert german(source) == target
  assert derives(GENDER_RULES, "V", source) and not derives(GENDER_RULES, "B", source)


@pytest.mark.parametrize("name", NAMES)
def test_same_key_same_batch_and_different_key_different_batch(name):
  _, _, first = _batch(name, seed=3)
  _, _, again = _batch(name, seed=3)
  _, _, other = _batch(name, seed=4)
  for a, b in zip(first, again, strict=True):
    np.testing.assert_array_equal(a, b)
  assert not np.array_equal(first.inputs, other.inputs)


@pytest.mark.parametrize("name", ("bigram_flipping", "svo_to_sov"))
def test_training_range_compiles_once_and_respects_the_range(name):
  task = tr.TASKS[name]()
  sample = jax.jit(task.sample, static_argnums=(1, 2))
  batches = [sample(jax.random.key(seed), 16, task.train_lengths) for seed in range(3)]
  assert sample._cache_size() == 1
  lengths = [len(e.inputs) for b in batches for e in encoding.decode(b)]
  assert min(lengths) >= 8 and max(lengths) <= 64 and len(set(lengths)) > 10
  if name == "bigram_flipping":
    assert all(n % 2 == 0 for n in lengths)


def test_symbols_are_uniform_over_the_128_symbols():
  batches = [_batch("transduction_copy", seed)[2] for seed in range(16)]
  tokens = [t for batch in batches for e in encoding.decode(batch) for t in e.inputs]
  counts = np.bincount(tokens, minlength=tr.NUM_SYMBOLS)
  mean = len(tokens) / tr.NUM_SYMBOLS
  assert counts.shape == (tr.NUM_SYMBOLS,) and np.abs(counts - mean).max() < 5 * np.sqrt(mean)


def _verb_position_probabilities(n):
  """P(main verb at position a | n words) ∝ P_S(a) P_O(n - 1 - a); P_S = P_O (App. C)."""
  p = {0: Fraction(0)}
  for m in range(1, n):
    pairs = sum(p[k] * p[m - k] for k in range(1, m))
    relatives = sum(p[k] * p[m - 2 - k] for k in range(1, m - 2))
    p[m] = Fraction(1, 5) * (pairs + relatives) + Fraction(3, 5) * (m == 1)
  weights = [p[a] * p[n - 1 - a] for a in range(1, n - 1)]
  return np.array([float(w / sum(weights)) for w in weights])


def test_svo_main_verb_position_follows_the_grammar():
  n, samples = 8, 4000
  derive = jax.jit(functools.partial(itg.derive, tr.SVO_GRAMMAR, max_length=n))
  source, target = derive(jax.random.key(6), jnp.full((samples,), n))
  positions = [main_verb(tokens) for tokens in np.asarray(source).tolist()]
  assert [sov(s) for s in np.asarray(source).tolist()] == np.asarray(target).tolist()
  frequencies = np.bincount(positions, minlength=n - 1)[1:] / samples
  expected = _verb_position_probabilities(n)
  sigma = np.sqrt(expected * (1 - expected) / samples)
  assert (np.abs(frequencies - expected) < 4 * sigma + 1e-3).all(), (frequencies, expected)


def test_gender_sentences_of_six_words_have_one_shape():
  # B(6) can only be B(5) V(1) = "art noun and art noun verb" (App. C, Table 1b).
  source, target = jax.jit(functools.partial(itg.derive, tr.GENDER_GRAMMAR, max_length=6))(
    jax.random.key(7), jnp.full((256,), 6)
  )
  for tokens in np.asarray(source).tolist():
    assert tokens[0] in ARTICLES and tokens[2] == tr.AND and tokens[3] in ARTICLES
    assert _noun(tokens[1]) and _noun(tokens[4]) and _verb_en(tokens[5])
  genders = {g for tokens in np.asarray(target).tolist() for g in (tokens[0], tokens[3])}
  assert genders == {tr.DER, tr.DIE, tr.DAS, tr.EIN, tr.EINE}


def test_fine_accuracy_counts_right_steps_before_the_first_error():
  # 4 scored steps per sequence; class 1 is right, class 0 wrong.
  right, wrong = [0.0, 1.0], [1.0, 0.0]
  predictions = [
    [right, right, right, right, wrong],  # all scored steps right
    [right, right, wrong, right, right],  # error at the 3rd: 2 of 4
    [wrong, right, right, right, right],  # error first: 0
    [right, wrong, wrong, wrong, right],  # 1 of 4
  ]
  logits = jnp.array(predictions)
  targets = jnp.broadcast_to(jnp.array([0.0, 1.0]), logits.shape)
  mask = jnp.array([[1, 1, 1, 1, 0]] * 4, jnp.float32)
  fine = tr.fine_accuracy(logits, targets, mask)
  np.testing.assert_allclose(fine, [1.0, 0.5, 0.0, 0.25])
  np.testing.assert_array_equal(tr.coarse_accuracy(logits, targets, mask), [1, 0, 0, 0])
  token = metrics.token_accuracy(logits, targets, mask)
  assert (fine <= token).all() and not np.allclose(fine, token)


def test_fine_accuracy_ignores_unscored_steps():
  logits = jnp.array([[[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]])  # step 0 wrong but unscored
  targets = jnp.broadcast_to(jnp.array([0.0, 1.0]), logits.shape)
  np.testing.assert_allclose(tr.fine_accuracy(logits, targets, jnp.array([[0.0, 1, 1]])), [1.0])
  np.testing.assert_allclose(tr.fine_accuracy(logits, targets, jnp.zeros((1, 3))), [1.0])


def test_registry_names_are_the_proposed_ones():
  expected = ("transduction_copy", "transduction_reversal", "bigram_flipping")
  assert NAMES == (*expected, "svo_to_sov", "gender_conjugation")
