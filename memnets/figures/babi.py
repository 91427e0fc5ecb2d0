"""Which sentences a memory network attended to, hop by hop, for one bAbI story.

As the MemN2N paper shows its bAbI examples (Sukhbaatar et al. 2015, Fig. 2):
the story's sentences as rows, one column per hop (MemN2N) or pass (DMN+)
with the attention each sentence got, the supporting facts marked, and the
question, the answer and the model's answer in the title.
"""

import numpy as np

from memnets.figures import canvas


def plot_attention(
  path,
  sentences: list[str],
  attention_KxS: np.ndarray,
  *,
  question: str,
  answer: str,
  predicted: str,
  supporting: tuple[int, ...] = (),
  step_name: str = "hop",
):
  """Writes the attention of K hops over a story's S sentences to `path` (PNG); returns the path.

  `supporting`: the supporting facts' rows (0-based), marked with "*".
  """
  attention_KxS = np.asarray(attention_KxS, dtype=float)
  hops, count = attention_KxS.shape
  if count != len(sentences):
    raise ValueError(f"attention has {count} sentences, the story {len(sentences)}")
  labels = [("* " if i in supporting else "") + text for i, text in enumerate(sentences)]
  figure = canvas.new_figure(2.0 + 0.9 * hops + 0.07 * max(map(len, labels), default=0),
                             1.2 + 0.28 * max(count, 1))  # fmt: skip
  axes = figure.add_subplot()
  image = axes.imshow(attention_KxS.T, aspect="auto", cmap="Blues", vmin=0.0, vmax=1.0)
  axes.set_yticks(range(count), labels, fontsize=8)
  axes.set_xticks(range(hops), [f"{step_name} {k + 1}" for k in range(hops)], fontsize=8)
  for k in range(hops):
    for i in range(count):
      value = attention_KxS[k, i]
      color = "white" if value > 0.6 else "black"
      axes.text(k, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color=color)
  verdict = "right" if predicted == answer else "wrong"
  axes.set_title(f"{question}  answer: {answer}, model: {predicted} ({verdict})", fontsize=9)
  figure.colorbar(image, ax=axes, fraction=0.05)
  return canvas.save(figure, path)
