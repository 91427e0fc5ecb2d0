"""Summary statistics of bAbI examples, to compare the offline generator with the release.

`statistics(examples)` measures what a model sees: how many statements are
in memory at a question, how far back its supporting facts lie, how the
statements split into moves and object actions, and how the answers spread.
"""

from collections import Counter
from collections.abc import Sequence

import numpy as np

from memnets.tasks.babi.parse import Example

# The verbs of the release's statements (the word after the actor).
MOVES = frozenset({"moved", "went", "journeyed", "travelled"})
TAKES = frozenset({"got", "grabbed", "picked", "took"})
DROPS = frozenset({"dropped", "discarded", "put", "left"})


def _verb(sentence: list[str]) -> str:
  return sentence[1] if len(sentence) > 1 else ""


def statistics(examples: Sequence[Example]) -> dict[str, float]:
  """Per-question means and shares over `examples`.

  Keys: questions; statements (in the story at the question); supports
  (supporting facts per question); latest_support and earliest_support
  (statements from the newest / oldest supporting fact to the question, 1 =
  the statement just before it); moves, takes, drops (shares by verb of the
  statements in memory at the questions); top_answer (share of the
  commonest answer); answers (distinct answers).
  """
  if not examples:
    raise ValueError("no examples to summarise")
  latest, earliest = [], []
  for example in examples:
    row = {line: i for i, line in enumerate(example.line_numbers)}
    if example.supporting:
      rows = [row[line] for line in example.supporting]
      latest.append(len(example.story) - max(rows))
      earliest.append(len(example.story) - min(rows))
  verbs = Counter(_verb(sentence) for e in examples for sentence in e.story)
  total = max(sum(verbs.values()), 1)
  answers = Counter(",".join(e.answer) for e in examples)
  return {
    "questions": float(len(examples)),
    "statements": float(np.mean([len(e.story) for e in examples])),
    "supports": float(np.mean([len(e.supporting) for e in examples])),
    "latest_support": float(np.mean(latest)) if latest else float("nan"),
    "earliest_support": float(np.mean(earliest)) if earliest else float("nan"),
    "moves": sum(verbs[v] for v in MOVES) / total,
    "takes": sum(verbs[v] for v in TAKES) / total,
    "drops": sum(verbs[v] for v in DROPS) / total,
    "top_answer": answers.most_common(1)[0][1] / len(examples),
    "answers": float(len(answers)),
  }
