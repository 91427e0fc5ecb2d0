"""A fixed probabilistic grammar of English-like sentences, with its exact entropy rate.

The default corpus of the language model and word2vec: sentences drawn from
the context-free grammar `RULES` (subjects and verbs agree in number, also
across subject relative clauses: "the dog that chases some cats runs").
The grammar is unambiguous — every sentence has one derivation (the tests
check this on every sentence of up to ten words) — so a sentence's
probability is its derivation's, and the entropy of a sentence is the sum
over nonterminals A of (expected uses of A) × (entropy of A's rule choice).
Divided by the expected number of tokens per sentence, the end-of-sentence
token included, this is the entropy rate of the text stream: the lowest
cross-entropy per token any language model can reach on it (sentences are
drawn independently, so nothing is gained across them), and exp of it the
lowest perplexity.
"""

import math
import pathlib

import numpy as np

START = "S"


def _zipf(words: str) -> tuple[tuple[float, tuple[str]], ...]:
  """A preterminal's rules: each word alone, with probability ∝ 1 / rank."""
  names = words.split()
  weights = np.array([1.0 / (rank + 1) for rank in range(len(names))])
  return tuple((float(w), (name,)) for w, name in zip(weights / weights.sum(), names, strict=True))


# nonterminal → ((probability, right-hand side), ...); any symbol that is not a key is a word.
RULES: dict[str, tuple[tuple[float, tuple[str, ...]], ...]] = {
  "S": ((0.55, ("NP_SG", "VP_SG")), (0.45, ("NP_PL", "VP_PL"))),
  "NP": ((0.6, ("NP_SG",)), (0.4, ("NP_PL",))),  # an object: either number
  "NP_SG": ((0.8, ("DET_SG", "NOM_SG")), (0.2, ("NAME",))),
  "NP_PL": ((1.0, ("DET_PL", "NOM_PL")),),
  "NOM_SG": ((0.25, ("ADJ", "NOM_SG")), (0.75, ("N_SG", "REL_SG"))),
  "NOM_PL": ((0.25, ("ADJ", "NOM_PL")), (0.75, ("N_PL", "REL_PL"))),
  "REL_SG": ((0.2, ("that", "VP_SG")), (0.8, ())),  # a subject relative clause, or none
  "REL_PL": ((0.2, ("that", "VP_PL")), (0.8, ())),
  "VP_SG": ((0.3, ("VI_SG",)), (0.2, ("VI_SG", "ADV")), (0.5, ("VT_SG", "NP"))),
  "VP_PL": ((0.3, ("VI_PL",)), (0.2, ("VI_PL", "ADV")), (0.5, ("VT_PL", "NP"))),
  "DET_SG": ((0.5, ("the",)), (0.3, ("a",)), (0.2, ("this",))),
  "DET_PL": ((0.4, ("some",)), (0.3, ("these",)), (0.3, ("many",))),
  "N_SG": _zipf("dog cat bird child teacher farmer horse student"),
  "N_PL": _zipf("dogs cats birds children teachers farmers horses students"),
  "NAME": _zipf("mary john anna paul"),
  "ADJ": _zipf("big small old young happy"),
  "VI_SG": _zipf("runs sleeps sings waits laughs"),
  "VI_PL": _zipf("run sleep sing wait laugh"),
  "VT_SG": _zipf("sees likes chases follows helps"),
  "VT_PL": _zipf("see like chase follow help"),
  "ADV": _zipf("quickly quietly often"),
}


def _check(rules) -> None:
  for symbol, options in rules.items():
    total = sum(p for p, _ in options)
    if not math.isclose(total, 1.0, abs_tol=1e-9):
      raise ValueError(f"rules of {symbol} sum to {total}, not 1")


_check(RULES)


def word_categories(rules=RULES) -> dict[str, str]:
  """Word → the one preterminal (a nonterminal whose rules are single words) that emits it."""
  categories = {}
  for symbol, options in rules.items():
    if all(len(rhs) == 1 and rhs[0] not in rules for _, rhs in options):
      for _, (word,) in options:
        categories[word] = symbol
  return categories


def expected_uses(rules=RULES, start: str = START) -> dict[str, float]:
  """Expected number of times each nonterminal is expanded in one sentence.

  With M[A, B] = Σ_r p(A → r) · (occurrences of B in r), the uses u solve
  u = e_start + Mᵀ u; finite when M's spectral radius is below 1 (the
  grammar's recursion dies out), else a ValueError.
  """
  symbols = list(rules)
  index = {s: i for i, s in enumerate(symbols)}
  mean = np.zeros((len(symbols), len(symbols)))
  for symbol, options in rules.items():
    for p, rhs in options:
      for child in rhs:
        if child in index:
          mean[index[symbol], index[child]] += p
  if np.max(np.abs(np.linalg.eigvals(mean))) >= 1.0:
    raise ValueError("the grammar's recursion does not die out: sentences have no finite length")
  uses = np.linalg.solve(np.eye(len(symbols)) - mean.T, np.eye(len(symbols))[index[start]])
  return dict(zip(symbols, uses.tolist(), strict=True))


def sentence_entropy(rules=RULES, start: str = START) -> float:
  """Entropy of a sentence in nats: Σ_A (expected uses of A) · H(A's rule choice)."""
  uses = expected_uses(rules, start)
  return sum(
    uses[s] * -sum(p * math.log(p) for p, _ in options if p > 0) for s, options in rules.items()
  )


def expected_length(rules=RULES, start: str = START) -> float:
  """Expected number of words in a sentence (the end-of-sentence token not counted)."""
  uses = expected_uses(rules, start)
  return sum(uses[s] * sum(p * sum(c not in rules for c in rhs) for p, rhs in options) for s, options in rules.items())  # fmt: skip


def entropy_rate(rules=RULES, start: str = START) -> float:
  """Nats per token of the text stream, each sentence followed by one end-of-sentence token."""
  return sentence_entropy(rules, start) / (expected_length(rules, start) + 1.0)


def optimal_perplexity(rules=RULES, start: str = START) -> float:
  """exp(entropy rate): the lowest perplexity per token a model of the stream can have."""
  return math.exp(entropy_rate(rules, start))


def sample(rng: np.random.Generator, rules=RULES, start: str = START) -> tuple[list[str], float]:
  """One sentence (its words) and the log-probability of its derivation, drawn left to right."""
  words, log_prob, pending = [], 0.0, [start]
  while pending:
    symbol = pending.pop()
    if symbol not in rules:
      words.append(symbol)
      continue
    options = rules[symbol]
    choice = rng.choice(len(options), p=[p for p, _ in options])
    p, rhs = options[choice]
    log_prob += math.log(p)
    pending.extend(reversed(rhs))
  return words, log_prob


def sample_with_log_probs(seed: int, num: int, rules=RULES) -> list[tuple[list[str], float]]:
  """`num` (sentence, log-probability) pairs drawn independently, numpy's generator seeded by `seed`."""
  rng = np.random.default_rng(seed)
  return [sample(rng, rules) for _ in range(num)]


def sample_sentences(seed: int, num: int, rules=RULES) -> list[list[str]]:
  """The sentences of `sample_with_log_probs(seed, num)`."""
  return [words for words, _ in sample_with_log_probs(seed, num, rules)]


def perplexity(drawn: list[tuple[list[str], float]]) -> float:
  """The grammar's own perplexity per token on drawn sentences, each followed by an EOS token.

  exp(−Σ log p(sentence) / Σ (words + 1)): what a model that knew the
  grammar would score on exactly these sentences, the floor a trained model's
  perplexity on them is compared with (it differs from `optimal_perplexity`
  by the sampling noise of a finite set).
  """
  total = sum(log_prob for _, log_prob in drawn)
  return math.exp(-total / sum(len(words) + 1 for words, _ in drawn))


def write_corpus(path, num_sentences: int, seed: int, rules=RULES) -> pathlib.Path:
  """Writes `num_sentences` sentences to `path`, one per line, words separated by spaces."""
  path = pathlib.Path(path)
  path.parent.mkdir(parents=True, exist_ok=True)
  lines = (" ".join(words) for words in sample_sentences(seed, num_sentences, rules))
  path.write_text("\n".join(lines) + "\n")
  return path


def foreign_word(word: str) -> str:
  """The toy target language's word for an English word: its letters reversed, then "o"."""
  return word[::-1] + "o"


def translate(words, rules=RULES) -> list[str]:
  """A sentence of the grammar in a toy target language: a parallel corpus with reordering.

  Each word becomes its `foreign_word` (one to one), and the adjectives of a
  noun move after it in reverse order ("the big old dog runs" → "ehto godo
  dloo gibo snuro"), so an encoder-decoder has to learn a lexicon and a
  reordering whose alignment is not monotone.
  """
  categories, out, adjectives = word_categories(rules), [], []
  for word in words:
    if categories.get(word) == "ADJ":
      adjectives.append(word)
      continue
    out.append(foreign_word(word))
    out.extend(foreign_word(a) for a in reversed(adjectives))
    adjectives = []
  return out + [foreign_word(a) for a in reversed(adjectives)]


def write_parallel(
  source_path, target_path, num_sentences: int, seed: int, rules=RULES
) -> tuple[pathlib.Path, pathlib.Path]:
  """Writes drawn sentences and their `translate`s to two files, line i of each a pair."""
  sentences = sample_sentences(seed, num_sentences, rules)
  paths = pathlib.Path(source_path), pathlib.Path(target_path)
  for path, lines in zip(paths, (sentences, [translate(s, rules) for s in sentences]), strict=True):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(" ".join(words) for words in lines) + "\n")
  return paths
