"""Loading the bAbI release: both folder layouts, bytes and the tar archive, shared sizes.

The real release is read from ../shared/babi where it exists; these tests
skip with a message where it does not.
"""

import io
import pathlib
import shutil
import tarfile

import numpy as np
import pytest

from memnets.tasks import babi

RELEASE = pathlib.Path(__file__).resolve().parents[4] / "shared" / "babi"
EN = RELEASE / "en"
needs_release = pytest.mark.skipif(
  not EN.is_dir(), reason=f"the bAbI release is not at {RELEASE} (see its README)"
)

STORY = "1 Mary went to the kitchen.\n2 Where is Mary?\tkitchen\t1\n"


def write(folder: pathlib.Path, name: str, stories: int) -> None:
  folder.mkdir(parents=True, exist_ok=True)
  (folder / name).write_text(STORY * stories)


def test_parse_reads_bytes_and_binary_files_and_names_them_in_errors():
  assert babi.parse(STORY.encode()) == babi.parse(STORY)
  assert babi.parse(io.BytesIO(STORY.encode())) == babi.parse(STORY)
  bad = io.BytesIO(b"1 Mary went.\n3 Where?\tx\t1\n")
  bad.name = "qa1_train.txt"
  with pytest.raises(babi.BabiFormatError, match=r"qa1_train.txt:2: line number 3 after 1"):
    babi.parse(bad)


def test_the_en_valid_layout_uses_its_validation_files(tmp_path):
  write(tmp_path, "qa2_train.txt", 9)
  write(tmp_path, "qa2_valid.txt", 3)
  write(tmp_path, "qa2_test.txt", 4)
  sizes = {s: len(babi.load(tmp_path, [2], s)) for s in ("train", "valid", "test", "train_full")}
  assert sizes == {"train": 9, "valid": 3, "test": 4, "train_full": 9}


def test_a_validation_split_is_carved_from_training_where_there_is_none(tmp_path):
  write(tmp_path, "qa3_three-supporting-facts_train.txt", 50)
  write(tmp_path, "qa3_three-supporting-facts_test.txt", 5)
  train, valid = babi.load(tmp_path, 3, "train"), babi.load(tmp_path, 3, "valid")
  assert (len(train), len(valid)) == (45, 5)  # 10% of the training questions
  assert len(babi.load(tmp_path, 3, "train_full")) == 50
  assert all(task == 3 for task, _ in train + valid)
  assert babi.load(tmp_path, 3, "valid") == valid  # a fixed seed: the same split every time


def test_bad_requests_name_the_problem(tmp_path):
  write(tmp_path, "qa1_single-supporting-fact_train.txt", 2)
  with pytest.raises(FileNotFoundError, match="no test file of bAbI task 1"):
    babi.load(tmp_path, [1], "test")
  with pytest.raises(ValueError, match="task_ids: 21 is not a bAbI task"):
    babi.load(tmp_path, [21], "train")
  with pytest.raises(ValueError, match="split: unknown 'dev'"):
    babi.load(tmp_path, [1], "dev")
  with pytest.raises(FileNotFoundError, match="neither a folder nor a tar archive"):
    babi.load(tmp_path / "missing", [1], "train")


@needs_release
def test_the_tar_archive_reads_like_the_folder(tmp_path):
  archive = tmp_path / "tasks_1-20_v1-2.tar.gz"
  with tarfile.open(archive, "w:gz") as tar:
    for name in ("qa1_single-supporting-fact_train.txt", "qa1_single-supporting-fact_test.txt"):
      tar.add(EN / name, arcname=f"tasks_1-20_v1-2/en/{name}")
  assert babi.load(archive, [1], "test") == babi.load(EN, [1], "test")
  with pytest.raises(FileNotFoundError, match="no bAbI files in a folder named 'en-10k'"):
    babi.load(archive, [1], "test", folder="en-10k")


@needs_release
def test_one_vocabulary_and_one_set_of_sizes_cover_every_split():
  data = babi.load_experiment(EN, [1, 8])
  shapes = {name: tuple(a.shape[1:] for a in arrays) for name, arrays in data.splits.items()}
  assert len(set(shapes.values())) == 1, shapes
  assert [len(data.splits[s].answers) for s in ("train", "valid", "test")] == [1800, 200, 2000]
  # qa8's test set has an answer that its training set never shows.
  assert "football,apple,milk" in data.vocab.ids
  np.testing.assert_array_equal(np.unique(data.task_ids["test"]), [1, 8])


@needs_release
def test_multi_word_answers_as_ordered_lists_or_as_sets(tmp_path):
  shutil.copy(EN / "qa8_lists-sets_test.txt", tmp_path)
  as_lists = babi.load_experiment(tmp_path, [8], splits=("test",))
  as_sets = babi.load_experiment(tmp_path, [8], splits=("test",), answers="set")
  assert "football,apple,milk" in as_lists.vocab.ids
  assert (
    "football,apple,milk" not in as_sets.vocab.ids and "apple,football,milk" in as_sets.vocab.ids
  )
  assert len(as_sets.vocab) < len(as_lists.vocab)
  assert (as_lists.answers, as_sets.answers) == ("sequence", "set")
  with pytest.raises(ValueError, match="answers: unknown 'bag'"):
    babi.answer_word(["a", "b"], "bag")
