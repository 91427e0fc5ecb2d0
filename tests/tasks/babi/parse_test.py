"""Tests of the bAbI reader (memnets/tasks/babi/parse.py)."""

import pathlib

import pytest

from memnets.tasks import babi

# Real format: a space before the first TAB (as in the released files), a story
# restart at 1, a multi-word answer (task 8 style) and one of task 19 style.
SNIPPET = (
  "1 Mary moved to the bathroom.\n"
  "2 John went to the hallway.\n"
  "3 Where is Mary? \tbathroom\t1\n"
  "4 Daniel went back to the hallway.\n"
  "5 Sandra moved to the garden.\n"
  "6 Where is Daniel? \thallway\t4\n"
  "1 Mary got the apple there.\n"
  "2 Mary grabbed the football.\n"
  "3 John went to the kitchen.\n"
  "4 What is Mary carrying?\tapple,football\t1 2\n"
  "5 How do you go from the kitchen to the garden?\tn,w\t3\n"
)


def test_snippet_every_field():
  examples = babi.parse(SNIPPET)
  assert len(examples) == 4
  first, second, third, fourth = examples

  assert first.story == [
    ["mary", "moved", "to", "the", "bathroom", "."],
    ["john", "went", "to", "the", "hallway", "."],
  ]
  assert first.question == ["where", "is", "mary", "?"]
  assert first.answer == ["bathroom"]
  assert first.supporting == [1]
  assert first.line_numbers == [1, 2]

  # The story of the second question: all statements so far, the question at
  # line 3 excluded; line numbers keep the file's numbering.
  assert len(second.story) == 4
  assert second.story[2] == ["daniel", "went", "back", "to", "the", "hallway", "."]
  assert second.question == ["where", "is", "daniel", "?"]
  assert second.answer == ["hallway"]
  assert second.supporting == [4]
  assert second.line_numbers == [1, 2, 4, 5]

  # Restart at 1: the new story holds nothing of the first one.
  assert third.story == [
    ["mary", "got", "the", "apple", "there", "."],
    ["mary", "grabbed", "the", "football", "."],
    ["john", "went", "to", "the", "kitchen", "."],
  ]
  assert third.question == ["what", "is", "mary", "carrying", "?"]
  assert third.answer == ["apple", "football"]
  assert third.supporting == [1, 2]
  assert third.line_numbers == [1, 2, 3]

  assert fourth.answer == ["n", "w"]
  assert fourth.supporting == [3]
  assert fourth.line_numbers == [1, 2, 3]


def test_file_path_str_and_pathlike_read_the_same(tmp_path):
  path = tmp_path / "qa1_single-supporting-fact_train.txt"
  path.write_text(SNIPPET, encoding="utf-8")
  expected = babi.parse(SNIPPET)
  assert babi.parse(path) == expected
  assert babi.parse(str(path)) == expected


def test_crlf_and_blank_lines_and_one_line_text():
  crlf = SNIPPET.replace("\n", "\r\n") + "\r\n\r\n"
  assert babi.parse(crlf) == babi.parse(SNIPPET)
  assert babi.parse("") == []
  assert babi.parse("1 Mary moved to the office.") == []  # one-line text, no question


def test_missing_supporting_field_reads_as_empty():
  (example,) = babi.parse("1 Mary moved to the office.\n2 Where is Mary?\toffice\n")
  assert example.answer == ["office"]
  assert example.supporting == []


def test_one_line_string_naming_no_file_is_an_error():
  with pytest.raises(FileNotFoundError, match="no_such_file.txt"):
    babi.parse("no_such_file.txt")


def test_tokenize_lowercases_and_splits_punctuation():
  assert babi.tokenize("Is John in the playground?") == [
    "is",
    "john",
    "in",
    "the",
    "playground",
    "?",
  ]


_STORY = "1 Mary moved to the bathroom.\n2 John went to the hallway.\n"

# (name, text, 1-based line of the error, words the message must contain)
MALFORMED = [
  ("no leading number", _STORY + "Where is Mary?\tbathroom\t1\n", 3, "line number"),
  ("no leading number first line", "Mary moved.\n", 1, "line number"),
  ("question without answer", _STORY + "3 Where is Mary?\n", 3, "without an answer"),
  ("empty answer", _STORY + "3 Where is Mary?\t\t1\n", 3, "empty answer"),
  ("support is later", _STORY + "3 Where is Mary?\tbathroom\t4\n", 3, "supporting fact 4"),
  ("support is itself", _STORY + "3 Where is Mary?\tbathroom\t3\n", 3, "supporting fact 3"),
  (
    "support is a question",
    _STORY + "3 Where is Mary?\tbathroom\t1\n4 Where is John?\thallway\t3\n",
    4,
    "supporting fact 3",
  ),
  (
    "support is in the previous story",
    _STORY + "1 Sandra went to the garden.\n2 Where is Sandra?\tgarden\t2\n",
    4,
    "supporting fact 2",
  ),
  ("support not a number", _STORY + "3 Where is Mary?\tbathroom\tone\n", 3, "not a line number"),
  ("numbering repeats", _STORY + "2 Daniel went to the office.\n", 3, "expected 3"),
  ("numbering goes back", _STORY + "3 A b.\n2 Daniel went to the office.\n", 4, "expected 4"),
  ("numbering skips", _STORY + "4 Daniel went to the office.\n", 3, "expected 3"),
  ("story starts above 1", "2 Mary moved to the bathroom.\n", 1, "expected 1"),
  ("number only", _STORY + "3\n", 3, "no sentence"),
  ("too many fields", _STORY + "3 Where is Mary?\tbathroom\t1\textra\n", 3, "fields"),
]


@pytest.mark.parametrize(
  ("name", "text", "line", "words"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_malformed_text_names_text_and_line(name, text, line, words):
  del name
  with pytest.raises(babi.BabiFormatError, match=words) as info:
    babi.parse(text)
  assert str(info.value).startswith(f"<text>:{line}: ")
  assert (info.value.source, info.value.line) == ("<text>", line)
  assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
  ("name", "text", "line", "words"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_malformed_file_names_file_and_line(tmp_path, name, text, line, words):
  del name
  path = tmp_path / "qa2_two-supporting-facts_test.txt"
  path.write_text(text, encoding="utf-8")
  with pytest.raises(babi.BabiFormatError, match=words) as info:
    babi.parse(path)
  assert str(info.value).startswith(f"{path}:{line}: ")


@pytest.mark.parametrize(
  ("data", "line", "words"),
  [
    (b"1 Mary moved.\n2 John \xffwent.\n", 2, "not UTF-8"),
    (b"1 Mary moved.\n2 John went.\n\x00\x01\x02\x03", 3, "binary"),
    (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff", 1, "binary"),  # a gzip header
  ],
  ids=["non-utf8", "nul-bytes", "gzip"],
)
def test_binary_and_non_utf8_files(tmp_path, data, line, words):
  path = tmp_path / "data.bin"
  path.write_bytes(data)
  with pytest.raises(babi.BabiFormatError, match=words) as info:
    babi.parse(pathlib.Path(path))
  assert str(info.value).startswith(f"{path}:{line}: ")


def test_error_after_good_lines_returns_nothing_partial():
  text = SNIPPET + "6 Where is Mary?\n"
  with pytest.raises(babi.BabiFormatError) as info:
    babi.parse(text)
  assert info.value.line == SNIPPET.count("\n") + 1
