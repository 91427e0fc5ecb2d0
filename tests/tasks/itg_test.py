"""Tests of the length-conditioned synchronous grammar sampler (memnets.tasks.itg).

The inside probabilities are checked against exact fractions computed by
plain-Python recursions written out for each grammar of Grefenstette et al.
2015 (App. C); sampling is checked on toy grammars whose answers are known.
"""

import functools
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import itg, transduction

W, R = itg.Word, itg.Rule
LONGEST_EXACT = 20


@functools.cache
def _derive(grammar, max_length):
  return jax.jit(functools.partial(itg.derive, grammar, max_length=max_length))


def _svo_inside():
  """P(S derives n words) = P(O derives n words): S -> S S (1/5) | S rpi S VT (1/5) | ST (3/5)."""
  p = {0: Fraction(0)}
  for n in range(1, LONGEST_EXACT + 1):
    pairs = sum(p[k] * p[n - k] for k in range(1, n))
    relatives = sum(p[k] * p[n - 2 - k] for k in range(1, n - 2))
    p[n] = Fraction(1, 5) * pairs + Fraction(1, 5) * relatives + Fraction(3, 5) * (n == 1)
  # A -> S VT O.
  return {n: sum(p[k] * p[n - 1 - k] for k in range(1, n - 1)) for n in range(1, LONGEST_EXACT + 1)}


def _gender_inside():
  """P(B derives n words): B -> B or B (1/4) | S and S (1/4) | B V (1/2); V -> W B (3/4) | W (1/4)."""
  b, v = {0: Fraction(0)}, {0: Fraction(0)}
  for n in range(1, LONGEST_EXACT + 1):
    v[n] = Fraction(3, 4) * b[n - 1] + Fraction(1, 4) * (n == 1)
    ors = sum(b[k] * b[n - 1 - k] for k in range(1, n - 1))
    verbs = sum(b[k] * v[n - k] for k in range(1, n))
    b[n] = Fraction(1, 4) * ors + Fraction(1, 4) * (n == 5) + Fraction(1, 2) * verbs
  return b  # A -> B


@pytest.mark.parametrize(
  "grammar, exact",
  ((transduction.SVO_GRAMMAR, _svo_inside()), (transduction.GENDER_GRAMMAR, _gender_inside())),
  ids=("svo", "gender"),
)
def test_inside_probabilities_of_the_root_equal_exact_fractions(grammar, exact):
  log_inside = itg.tables(grammar, LONGEST_EXACT).log_inside[0]
  for n in range(1, LONGEST_EXACT + 1):
    if exact[n] == 0:
      assert log_inside[n] == -np.inf
    else:
      np.testing.assert_allclose(np.exp(log_inside[n]), float(exact[n]), rtol=1e-9)


def test_every_length_from_the_minimum_is_derivable():
  np.testing.assert_array_equal(itg.lengths(transduction.SVO_GRAMMAR, 128), np.arange(3, 129))
  np.testing.assert_array_equal(itg.lengths(transduction.GENDER_GRAMMAR, 128), np.arange(5, 129))


def test_sampling_tables_are_normalised_where_feasible():
  t = itg.tables(transduction.GENDER_GRAMMAR, 30)
  rule_mass = np.exp(t.rule_logits).sum(-1)
  feasible = np.isfinite(t.log_inside)
  np.testing.assert_allclose(rule_mass[feasible], 1.0, rtol=1e-6)
  assert (rule_mass[~feasible] == 0).all()
  split_mass = np.exp(t.split_logits).sum(-1)
  binary = t.num_nonterminals == 2
  assert np.isin(np.round(split_mass[binary], 6), (0.0, 1.0)).all()


def test_only_inverted_rules_reverse_the_string():
  # A -> A A with the target order inverted, or a word; every derivation reverses.
  grammar = itg.Grammar("A", (R("A", 0.5, ("A", "A"), (1, 0)), R("A", 0.5, (W(0, 0, 9),), (0,))))
  lengths = jnp.array([1, 2, 3, 7, 12, 12])
  source, target = _derive(grammar, 12)(jax.random.key(0), lengths)
  for n, src, tgt in zip(lengths, np.asarray(source), np.asarray(target), strict=True):
    assert list(tgt[:n]) == list(src[:n])[::-1]
    assert not src[n:].any() and not tgt[n:].any()


def test_words_map_to_their_target_class_with_the_same_offset():
  grammar = itg.Grammar(
    "A",
    (
      R("A", 1.0, (W(0, 100, 3), "B", W(7, 200)), (2, 1, 0)),
      R("B", 1.0, (W(3, 50, 4),), (0,)),
    ),
  )
  source, target = _derive(grammar, 3)(jax.random.key(1), jnp.full((64,), 3))
  for src, tgt in zip(np.asarray(source), np.asarray(target), strict=True):
    assert 0 <= src[0] < 3 and 3 <= src[1] < 7 and src[2] == 7
    assert list(tgt) == [200, 50 + src[1] - 3, 100 + src[0]]


def test_words_of_a_class_are_equiprobable():
  grammar = itg.Grammar("A", (R("A", 1.0, (W(0, 0, 4),), (0,)),))
  source, _ = _derive(grammar, 1)(jax.random.key(2), jnp.ones((4000,), jnp.int32))
  counts = np.bincount(np.asarray(source[:, 0]), minlength=4)
  assert counts.sum() == 4000 and np.abs(counts - 1000).max() < 4 * np.sqrt(4000 * 0.25 * 0.75)


def test_same_key_same_derivations():
  sample = _derive(transduction.SVO_GRAMMAR, 12)
  lengths = jnp.array([3, 8, 12])
  first, again = sample(jax.random.key(3), lengths), sample(jax.random.key(3), lengths)
  other = sample(jax.random.key(4), lengths)
  np.testing.assert_array_equal(first[0], again[0])
  np.testing.assert_array_equal(first[1], again[1])
  assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize(
  "rules, message",
  (
    ((R("A", 0.5, (W(0, 0),), (0,)),), "summing"),
    ((R("A", 1.0, ("A", "A", "A"), (0, 1, 2)),), "nonterminals"),
    ((R("A", 1.0, ("A", W(0, 0)), (0, 0)),), "permutation"),
    ((R("A", 1.0, ("B",), (0,)),), "without rules"),
    ((R("A", 1.0, (W(0, 0, 0),), (0,)),), "count"),
  ),
)
def test_check_rejects_malformed_grammars(rules, message):
  with pytest.raises(ValueError, match=message):
    itg.check(itg.Grammar("A", rules))
