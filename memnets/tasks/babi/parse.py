"""Reader for the bAbI question-answering text format (Weston et al. 2015).

"Towards AI-Complete Question Answering: A Set of Prerequisite Toy Tasks"
(arXiv:1502.05698) releases 20 tasks, each as `qa<N>_<name>_{train,test}.txt`
under `en/` (1,000 training and 1,000 test questions per task) and `en-10k/`
(10,000 training questions). Every file uses the same line format:

    1 Mary moved to the bathroom.
    2 John went to the hallway.
    3 Where is Mary? <TAB>bathroom<TAB>1

(<TAB> stands for a tab character.)

- Each line starts with its number inside the story, then a space. A story
  starts again when the numbering returns to 1.
- A statement line holds one sentence.
- A question line holds the question, a TAB, the answer, a TAB and the
  numbers of the supporting statements, separated by spaces. Answers of more
  than one word are comma-separated ("apple,football" in task 8, "n,w" in task
  19). Questions are numbered like statements, so supporting numbers skip them.

As in the standard preprocessing (Weston et al. 2015; Sukhbaatar et al. 2015),
each question becomes one example whose story is every statement before it in
the same story (questions excluded).

Tokens are lower-cased words, with punctuation split off as its own token.
Blank lines are skipped. A question line with only one TAB (no supporting
numbers) is read with an empty `supporting` list.
"""

import os
import re
from typing import NamedTuple

TEXT_NAME = "<text>"
BYTES_NAME = "<bytes>"
FIELD_SEPARATOR = "\t"
ANSWER_SEPARATOR = ","
FIRST_LINE_NUMBER = 1
MAX_QUESTION_FIELDS = 3  # question, answer, supporting numbers

_LINE_RE = re.compile(r"^\s*(\d+)(?:\s+(.*))?$")
_TOKEN_RE = re.compile(r"\w+|[^\w\s]")


class BabiFormatError(ValueError):
  """Malformed bAbI input; the message names the source and the 1-based line.

  Attributes:
    source: the file path, or "<text>" when text was given directly.
    line: 1-based line number in the source where the problem is.
  """

  def __init__(self, source: str, line: int, problem: str):
    super().__init__(f"{source}:{line}: {problem}")
    self.source = source
    self.line = line
    self.problem = problem


class Example(NamedTuple):
  """One bAbI question with its story.

  story: the statements before the question in its story, oldest first; each a
    list of lower-cased tokens (punctuation split off).
  question: tokens of the question.
  answer: answer words (one for most tasks; several for lists, e.g. task 8).
  supporting: line numbers of the supporting statements, as in the file.
  line_numbers: the file line number of each story sentence (parallel to
    `story`), so that `supporting` can be mapped to story positions.
  """

  story: list[list[str]]
  question: list[str]
  answer: list[str]
  supporting: list[int]
  line_numbers: list[int]


def tokenize(sentence: str) -> list[str]:
  """Lower-cased word tokens with each punctuation mark as its own token."""
  return _TOKEN_RE.findall(sentence.lower())


def _read_source(path_or_text) -> tuple[str, str]:
  """Returns (source name, decoded text).

  Rule: `bytes` are the file's contents and a binary file object (an open
  file, a `tarfile` member from `extractfile`) is read; both are named by
  their `name` if they have one. An `os.PathLike` is always a path. A `str`
  containing a newline, or empty/whitespace-only, is text. Another `str` is
  a path if it names an existing file; otherwise it is text if it starts
  with a line number (a one-line story), and a `FileNotFoundError` is raised
  if it does not.
  """
  if isinstance(path_or_text, (bytes, bytearray)):
    return _decode(bytes(path_or_text), BYTES_NAME)
  if hasattr(path_or_text, "read"):
    data = path_or_text.read()
    name = str(getattr(path_or_text, "name", BYTES_NAME))
    if isinstance(data, str):
      return name, data
    return _decode(data, name)
  if isinstance(path_or_text, os.PathLike):
    path = os.fspath(path_or_text)
  elif isinstance(path_or_text, str):
    text = path_or_text
    if "\n" in text or not text.strip():
      return TEXT_NAME, text
    if os.path.isfile(text):
      path = text
    elif _LINE_RE.match(text):
      return TEXT_NAME, text
    else:
      raise FileNotFoundError(f"no such bAbI file: {text!r}")
  else:
    raise TypeError(
      f"expected a path, str, bytes or binary file, got {type(path_or_text).__name__}"
    )
  with open(path, "rb") as f:
    return _decode(f.read(), path)


def _decode(data: bytes, source: str) -> tuple[str, str]:
  """(source, UTF-8 text of `data`); BabiFormatError naming the line of a NUL or bad byte."""
  nul = data.find(b"\x00")
  if nul >= 0:
    line = data.count(b"\n", 0, nul) + 1
    raise BabiFormatError(source, line, "binary data (NUL byte), not bAbI text")
  try:
    return source, data.decode("utf-8")
  except UnicodeDecodeError as err:
    line = data.count(b"\n", 0, err.start) + 1
    raise BabiFormatError(source, line, f"not UTF-8 text ({err.reason})") from None


def _parse_answer(field: str, fail) -> list[str]:
  words = [word.strip().lower() for word in field.split(ANSWER_SEPARATOR)]
  if not field.strip() or not all(words):
    fail(f"empty answer in {field!r}")
  return words


def _parse_supporting(field: str, statements: dict[int, list[str]], fail) -> list[int]:
  supporting = []
  for item in field.split():
    if not item.isdigit():
      fail(f"supporting fact {item!r} is not a line number")
    number = int(item)
    if number not in statements:
      fail(f"supporting fact {number} is not an earlier statement of this story")
    supporting.append(number)
  return supporting


def parse_text(text: str, source: str = TEXT_NAME) -> list[Example]:
  """Parses bAbI text; `source` names it in error messages.

  Raises:
    BabiFormatError: on the first malformed line (nothing partial is returned).
  """
  examples = []
  statements: dict[int, list[str]] = {}  # line number -> tokens, current story
  previous = None  # number of the previous line of the current story
  for index, raw in enumerate(text.split("\n")):
    line = raw.rstrip("\r")
    if not line.strip():
      continue

    def fail(problem, index=index):
      raise BabiFormatError(source, index + 1, problem)

    match = _LINE_RE.match(line)
    if match is None:
      fail(f"line does not start with a line number: {line.strip()[:40]!r}")
    number, body = int(match.group(1)), (match.group(2) or "")
    if number == FIRST_LINE_NUMBER:
      statements, previous = {}, None
    elif previous is None:
      fail(f"story starts at line number {number}, expected {FIRST_LINE_NUMBER}")
    elif number != previous + 1:
      fail(
        f"line number {number} after {previous}: expected {previous + 1} "
        f"(or {FIRST_LINE_NUMBER} to start a new story)"
      )
    previous = number
    if not body.strip():
      fail(f"line {number} has no sentence")

    fields = body.split(FIELD_SEPARATOR)
    if len(fields) == 1:
      if body.rstrip().endswith("?"):
        fail("question line without an answer (expected question TAB answer TAB supporting)")
      statements[number] = tokenize(body)
      continue
    if len(fields) > MAX_QUESTION_FIELDS:
      fail(f"question line has {len(fields)} TAB-separated fields, at most 3 expected")
    question = tokenize(fields[0])
    if not question:
      fail("empty question")
    answer = _parse_answer(fields[1], fail)
    support_field = fields[2] if len(fields) == MAX_QUESTION_FIELDS else ""
    supporting = _parse_supporting(support_field, statements, fail)
    line_numbers = sorted(statements)
    examples.append(
      Example(
        story=[list(statements[n]) for n in line_numbers],
        question=question,
        answer=answer,
        supporting=supporting,
        line_numbers=line_numbers,
      )
    )
  return examples


def parse(path_or_text) -> list[Example]:
  """Reads bAbI examples from a file path or from the text itself.

  Args:
    path_or_text: an `os.PathLike` or `str` path to a bAbI file, the text,
      its bytes, or a binary file object (e.g. `tarfile.extractfile(member)`
      of the release's `tasks_1-20_v1-2.tar.gz`). A `str` containing a
      newline (or empty) is text; a one-line `str` is a path if it names an
      existing file, text if it starts with a number.

  Returns:
    One `Example` per question line, in file order.

  Raises:
    BabiFormatError: malformed input; the message is "<file or <text>>:<line>:
      <problem>" with a 1-based line number.
    FileNotFoundError: a one-line `str` that is neither a file nor bAbI text.
  """
  source, text = _read_source(path_or_text)
  return parse_text(text, source)
