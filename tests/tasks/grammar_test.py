"""The grammar corpus: unambiguous, and its exact entropy rate against sampled sentences."""

import collections
import math

import numpy as np
import pytest

from memnets.tasks import grammar


def _preterminal_rules():
  """The grammar with every preterminal treated as a word: its sentences are category strings."""
  categories = set(grammar.word_categories().values())
  return {s: o for s, o in grammar.RULES.items() if s not in categories}


def _min_yield(rules):
  shortest = {s: math.inf for s in rules}
  for _ in range(len(rules)):
    for s, options in rules.items():
      shortest[s] = min(sum(shortest.get(c, 1) for c in rhs) for _, rhs in options)
  return shortest


def _category_strings(max_words):
  """Every derivation's category string of at most `max_words` words (leftmost derivations)."""
  rules = _preterminal_rules()
  shortest = _min_yield(rules)
  out, todo = [], [((), (grammar.START,))]
  while todo:
    done, pending = todo.pop()
    if len(done) + sum(shortest.get(c, 1) for c in pending) > max_words:
      continue
    if not pending:
      out.append(done)
      continue
    head, rest = pending[0], pending[1:]
    if head not in rules:
      todo.append(((*done, head), rest))
      continue
    for _, rhs in rules[head]:
      todo.append((done, (*rhs, *rest)))
  return out


def test_every_word_has_one_category():
  seen = collections.Counter()
  for symbol, options in grammar.RULES.items():
    if symbol in set(grammar.word_categories().values()):
      seen.update(rhs[0] for _, rhs in options)
  assert seen and max(seen.values()) == 1
  assert "that" not in grammar.word_categories()  # the relative pronoun is a word of its own rule


def test_every_sentence_of_up_to_ten_words_has_one_derivation():
  strings = _category_strings(10)  # category strings: every word has one category (above)
  assert len(strings) > 600
  assert len(set(strings)) == len(strings)


def test_expected_length_and_entropy_rate_match_sampled_sentences():
  rng = np.random.default_rng(0)
  drawn = [grammar.sample(rng) for _ in range(4000)]
  lengths = np.array([len(words) for words, _ in drawn])
  surprisal = -np.array([log_prob for _, log_prob in drawn])
  assert lengths.mean() == pytest.approx(grammar.expected_length(), rel=0.03)
  assert surprisal.mean() == pytest.approx(grammar.sentence_entropy(), rel=0.03)
  rate = surprisal.mean() / (lengths.mean() + 1)
  assert rate == pytest.approx(grammar.entropy_rate(), rel=0.03)
  assert grammar.optimal_perplexity() == pytest.approx(math.exp(grammar.entropy_rate()))


def test_entropy_of_a_one_rule_choice_grammar_is_that_choice():
  rules = {"S": ((0.5, ("a",)), (0.25, ("b",)), (0.25, ("c", "d")))}
  entropy = -(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25))
  assert grammar.sentence_entropy(rules) == pytest.approx(entropy)
  assert grammar.expected_length(rules) == pytest.approx(1.25)
  assert grammar.entropy_rate(rules) == pytest.approx(entropy / 2.25)


def test_a_grammar_whose_recursion_never_ends_is_refused():
  with pytest.raises(ValueError, match="does not die out"):
    grammar.expected_uses({"S": ((0.5, ("S", "S")), (0.5, ("a",)))})


def test_subjects_and_verbs_agree_across_relative_clauses():
  singular = set(grammar.word_categories()) & {w for _, (w,) in grammar.RULES["VT_SG"]}
  for words in grammar.sample_sentences(1, 300):
    if words[0] in ("some", "these", "many"):  # a plural subject: its verb is the first plural verb
      verbs = [w for w in words if grammar.word_categories().get(w, "").startswith("V")]
      assert verbs[0] not in singular


def test_write_corpus_is_a_function_of_the_seed(tmp_path):
  first = grammar.write_corpus(tmp_path / "a.txt", 20, seed=3).read_text()
  assert first == grammar.write_corpus(tmp_path / "b.txt", 20, seed=3).read_text()
  assert first != grammar.write_corpus(tmp_path / "c.txt", 20, seed=4).read_text()
  assert len(first.splitlines()) == 20


def test_the_grammars_perplexity_on_drawn_sentences_is_near_the_optimum_and_exact_on_them():
  drawn = grammar.sample_with_log_probs(seed=5, num=3000)
  assert [w for w, _ in drawn[:50]] == grammar.sample_sentences(5, 50)
  assert grammar.perplexity(drawn) == pytest.approx(grammar.optimal_perplexity(), rel=0.03)
  one = [(["a", "b"], math.log(0.25))]
  assert grammar.perplexity(one) == pytest.approx(0.25 ** (-1 / 3))


def test_translation_maps_words_one_to_one_and_moves_adjectives_after_their_noun():
  assert grammar.translate("the big old dog sees a small cat".split()) == [
    "ehto", "godo", "dloo", "gibo", "seeso", "ao", "taco", "llamso",
  ]  # fmt: skip
  words = list(grammar.word_categories())
  assert len({grammar.foreign_word(w) for w in words}) == len(words)
  for sentence in grammar.sample_sentences(3, 200):
    assert sorted(grammar.translate(sentence)) == sorted(map(grammar.foreign_word, sentence))


def test_write_parallel_writes_line_aligned_files(tmp_path):
  source, target = grammar.write_parallel(tmp_path / "s.txt", tmp_path / "t.txt", 30, seed=2)
  pairs = zip(source.read_text().splitlines(), target.read_text().splitlines(), strict=True)
  for line, translated in pairs:
    assert grammar.translate(line.split()) == translated.split()
