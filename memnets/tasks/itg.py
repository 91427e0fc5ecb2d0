"""Synchronous grammars sampled conditioned on the source length, in pure JAX.

An inversion transduction grammar (Wu 1997) generates a source and a target
string together: each rule rewrites a nonterminal into items (nonterminals and
words) and lists the order of the same items on the target side. Grefenstette
et al. 2015 (§4.2, App. C) sample their ITG tasks from the root and reject
strings outside the wanted length range; memnets' tasks ask for a given length
per example instead, so `derive` samples a derivation from the grammar's
distribution conditioned on the source having exactly that length. For any
length this is the distribution that rejection sampling gives at that length.

Conditioning uses inside probabilities (computed once per grammar and maximal
length, in float64 log space with numpy): P[X, n], the probability that
nonterminal X derives a source string of n words. A derivation is then drawn
top down: a nonterminal X that must cover n words picks rule r with
probability p_r · inside_r(n) / P[X, n], where inside_r(n) sums over the ways
of splitting n among r's nonterminals, and then a split with probability
proportional to its term. Every rule has at most two nonterminals, so a split
is one number, the length of the first.

Every word is one source and one target token: `Word(source, target, count)`
is token `source + u` on the source side and `target + u` on the target side,
u drawn uniformly from {0, ..., count - 1} (a class of `count` equiprobable
words, or one fixed word when count is 1). So the target string has the
source's length, and every node knows where its words go on both sides.
"""

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

NONE, NONTERMINAL, WORD = 0, 1, 2  # item kinds in the rule tables
MAX_NONTERMINALS = 2  # per rule, so a split is one length


class Word(NamedTuple):
  """A word class: source token `source + u`, target token `target + u`, u ~ U{0..count-1}."""

  source: int
  target: int
  count: int = 1


class Rule(NamedTuple):
  """`lhs -> items` with probability `probability`; `target_order` lists item indices."""

  lhs: str
  probability: float
  items: tuple  # nonterminal names (str) and Words, in source order
  target_order: tuple[int, ...]


class Grammar(NamedTuple):
  """A synchronous grammar whose derivations start at `root`."""

  root: str
  rules: tuple[Rule, ...]

  @property
  def nonterminals(self) -> tuple[str, ...]:
    """Left-hand sides in order of first appearance, the root first."""
    names = dict.fromkeys((self.root, *(rule.lhs for rule in self.rules)))
    return tuple(names)


class Tables(NamedTuple):
  """Numpy tables of a grammar up to `max_length` words (K nonterminals, R rules, I items).

  log_inside: [K, L + 1] log P[X, n].
  rule_logits: [K, L + 1, R] log P(rule | X, n); -inf for rules of other nonterminals.
  split_logits: [R, L + 1, L + 1] log P(first nonterminal has k words | rule, n).
  words: [R] number of words of each rule.
  num_nonterminals: [R].
  kind, symbol, slot, source, target, count: [R, I] item kind, nonterminal id,
    0/1 for the first/second nonterminal, and the Word fields.
  source_offsets, target_offsets: [R, I, 3] an item's position relative to its
    parent's first word is offsets · (1, first length, second length).
  """

  log_inside: np.ndarray
  rule_logits: np.ndarray
  split_logits: np.ndarray
  words: np.ndarray
  num_nonterminals: np.ndarray
  kind: np.ndarray
  symbol: np.ndarray
  slot: np.ndarray
  source: np.ndarray
  target: np.ndarray
  count: np.ndarray
  source_offsets: np.ndarray
  target_offsets: np.ndarray


def _logsumexp(values: np.ndarray) -> float:
  values = np.asarray(values, np.float64)
  if values.size == 0 or not np.isfinite(values).any():
    return -np.inf
  top = values.max()
  return float(top + np.log(np.exp(values - top).sum()))


def _offsets(rule: Rule, order) -> np.ndarray:
  """[len(items), 3]: words, first-nonterminal and second-nonterminal spans before each item."""
  slots = {}
  for index, item in enumerate(rule.items):
    if isinstance(item, str):
      slots[index] = len(slots)
  offsets = np.zeros((len(rule.items), 3), np.int32)
  before = np.zeros(3, np.int32)
  for index in order:
    offsets[index] = before
    if index in slots:
      before[1 + slots[index]] = 1
    else:
      before[0] += 1
  return offsets


def check(grammar: Grammar) -> None:
  """Raises ValueError unless every rule is well formed and each lhs's probabilities sum to 1."""
  names = grammar.nonterminals
  totals = dict.fromkeys(names, 0.0)
  for rule in grammar.rules:
    nonterminals = [item for item in rule.items if isinstance(item, str)]
    if len(nonterminals) > MAX_NONTERMINALS or not rule.items:
      raise ValueError(f"rule {rule}: needs 1 to {MAX_NONTERMINALS} nonterminals or words")
    if sorted(rule.target_order) != list(range(len(rule.items))):
      raise ValueError(f"rule {rule}: target_order is not a permutation of the items")
    if any(name not in names for name in nonterminals):
      raise ValueError(f"rule {rule}: a nonterminal without rules")
    if any(not isinstance(item, str) and item.count < 1 for item in rule.items):
      raise ValueError(f"rule {rule}: a word class with count < 1")
    totals[rule.lhs] += rule.probability
  for name, total in totals.items():
    if abs(total - 1.0) > 1e-9:
      raise ValueError(f"the rules of {name} have probabilities summing to {total}, not 1")


@functools.cache
def tables(grammar: Grammar, max_length: int) -> Tables:
  """The inside probabilities and sampling tables of `grammar` up to `max_length` words."""
  check(grammar)
  names = grammar.nonterminals
  ids = {name: i for i, name in enumerate(names)}
  rules = grammar.rules
  num_rules, num_items = len(rules), max(len(rule.items) for rule in rules)
  size = max_length + 1
  words = np.array([sum(not isinstance(i, str) for i in r.items) for r in rules], np.int32)
  children = [[ids[i] for i in r.items if isinstance(i, str)] for r in rules]
  lhs = [ids[r.lhs] for r in rules]

  log_inside = np.full((len(names), size), -np.inf)
  rule_inside = np.full((num_rules, size), -np.inf)
  for length in range(1, size):
    # A rule without words has children shorter than `length`, except a unary
    # one (A -> B); len(names) passes settle chains of those.
    for _ in range(len(names)):
      for r, kids in enumerate(children):
        rest = length - words[r]
        if not kids:
          rule_inside[r, length] = 0.0 if rest == 0 else -np.inf
        elif len(kids) == 1:
          rule_inside[r, length] = log_inside[kids[0], rest] if rest >= 1 else -np.inf
        else:
          k = np.arange(1, max(rest, 1))
          rule_inside[r, length] = _logsumexp(
            log_inside[kids[0], k] + log_inside[kids[1], rest - k]
          )
      terms = [np.log(r.probability) + rule_inside[i, length] for i, r in enumerate(rules)]
      for x in range(len(names)):
        log_inside[x, length] = _logsumexp([t for i, t in enumerate(terms) if lhs[i] == x])

  rule_logits = np.full((len(names), size, num_rules), -np.inf)
  split_logits = np.full((num_rules, size, size), -np.inf)
  with np.errstate(invalid="ignore"):
    for r, rule in enumerate(rules):
      x = ids[rule.lhs]
      feasible = np.isfinite(rule_inside[r]) & np.isfinite(log_inside[x])
      rule_logits[x, feasible, r] = (
        np.log(rule.probability) + rule_inside[r, feasible] - log_inside[x, feasible]
      )
      if len(children[r]) == 2:
        first, second = children[r]
        for length in np.flatnonzero(np.isfinite(rule_inside[r])):
          k = np.arange(1, length - words[r])
          split_logits[r, length, k] = (
            log_inside[first, k]
            + log_inside[second, length - words[r] - k]
            - rule_inside[r, length]
          )

  shape = (num_rules, num_items)
  kind, symbol, slot = (np.zeros(shape, np.int32) for _ in range(3))
  source, target, count = (np.zeros(shape, np.int32) for _ in range(3))
  source_offsets, target_offsets = (np.zeros((*shape, 3), np.int32) for _ in range(2))
  for r, rule in enumerate(rules):
    source_offsets[r, : len(rule.items)] = _offsets(rule, range(len(rule.items)))
    target_offsets[r, : len(rule.items)] = _offsets(rule, rule.target_order)
    nonterminals_seen = 0
    for j, item in enumerate(rule.items):
      if isinstance(item, str):
        kind[r, j], symbol[r, j], slot[r, j] = NONTERMINAL, ids[item], nonterminals_seen
        nonterminals_seen += 1
      else:
        kind[r, j], count[r, j] = WORD, item.count
        source[r, j], target[r, j] = item.source, item.target
  return Tables(
    log_inside=log_inside,
    rule_logits=rule_logits,
    split_logits=split_logits,
    words=words,
    num_nonterminals=np.array([len(kids) for kids in children], np.int32),
    kind=kind,
    symbol=symbol,
    slot=slot,
    source=source,
    target=target,
    count=count,
    source_offsets=source_offsets,
    target_offsets=target_offsets,
  )


def lengths(grammar: Grammar, max_length: int) -> np.ndarray:
  """Source lengths n <= max_length the root can derive (P[root, n] > 0), increasing."""
  return np.flatnonzero(np.isfinite(tables(grammar, max_length).log_inside[0]))


def _derive_one(t: Tables, key: jax.Array, length: jax.Array, max_length: int):
  """Source and target tokens [max_length] of one derivation of `length` words."""
  t = jax.tree.map(jnp.asarray, t)
  capacity = max_length + 1  # pending nonterminals cover disjoint nonempty spans
  num_items = t.kind.shape[1]
  stack = jnp.zeros((capacity, 4), jnp.int32)  # (nonterminal, source start, target start, words)
  stack = stack.at[0].set(jnp.stack([0, 0, 0, length]).astype(jnp.int32))
  tokens = jnp.zeros((max_length,), jnp.int32)

  def expand(carry):
    source_tokens, target_tokens, stack, top, step = carry
    top = top - 1
    symbol, source_start, target_start, words = stack[top]
    keys = jax.random.split(jax.random.fold_in(key, step), 2 + num_items)
    r = jax.random.categorical(keys[0], t.rule_logits[symbol, words])
    rest = words - t.words[r]
    split = jax.random.categorical(keys[1], t.split_logits[r, words])
    first = jnp.select([t.num_nonterminals[r] == 2, t.num_nonterminals[r] == 1], [split, rest], 0)
    second = jnp.where(t.num_nonterminals[r] == 2, rest - split, 0)
    spans = jnp.stack([1, first, second])
    for j in range(num_items):
      source_at = source_start + jnp.sum(t.source_offsets[r, j] * spans)
      target_at = target_start + jnp.sum(t.target_offsets[r, j] * spans)
      choice = jax.random.randint(keys[2 + j], (), 0, jnp.maximum(t.count[r, j], 1))
      is_word = t.kind[r, j] == WORD
      source_tokens = source_tokens.at[jnp.where(is_word, source_at, max_length)].set(
        t.source[r, j] + choice, mode="drop"
      )
      target_tokens = target_tokens.at[jnp.where(is_word, target_at, max_length)].set(
        t.target[r, j] + choice, mode="drop"
      )
      is_nonterminal = t.kind[r, j] == NONTERMINAL
      child_words = jnp.where(t.slot[r, j] == 0, first, second)
      child = jnp.stack([t.symbol[r, j], source_at, target_at, child_words])
      stack = stack.at[jnp.where(is_nonterminal, top, capacity)].set(child, mode="drop")
      top = top + is_nonterminal
    return source_tokens, target_tokens, stack, top, step + 1

  init = (tokens, tokens, stack, jnp.int32(1), jnp.int32(0))
  source_tokens, target_tokens, *_ = jax.lax.while_loop(lambda c: c[3] > 0, expand, init)
  return source_tokens, target_tokens


def derive(grammar: Grammar, key: jax.Array, lengths_B: jax.Array, max_length: int):
  """One derivation per example with `lengths_B[i]` source words, padded to `max_length`.

  Args:
    grammar: the synchronous grammar (hashable; its tables are cached).
    key: PRNG key.
    lengths_B: [B] int array of source lengths, each one `lengths(grammar, max_length)` holds.
    max_length: static Python int.

  Returns:
    (source [B, max_length], target [B, max_length]) int32 tokens; zeros past each length.
  """
  grammar_tables = tables(grammar, max_length)
  keys = jax.random.split(key, lengths_B.shape[0])
  sample = functools.partial(_derive_one, grammar_tables, max_length=max_length)
  return jax.vmap(sample)(keys, jnp.asarray(lengths_B, jnp.int32))
