"""Generated titles copied from the training titles: the hashes a bundle ships, and the check."""
from pathlib import Path

import numpy as np
import pytest

import chargen
from chargen.copies import TITLES_FILE, TrainingTitles
from chargen.data import card_split, field_texts
from chargen.vocab import CharVocab, WordVocab
from tests.conftest import TITLES


@pytest.mark.parametrize("level", [CharVocab, WordVocab])
def test_membership_by_token_ids_and_the_file_round_trip(level, tmp_path):
    vocab = level.build(TITLES)
    titles = TrainingTitles.of(vocab, TITLES)
    assert len(titles) == len(TITLES)
    assert all(vocab.encode(t) in titles for t in TITLES)
    assert vocab.encode("Oil prices fall") not in titles and vocab.encode(TITLES[0] + " again") not in titles
    titles.save(tmp_path / TITLES_FILE)
    assert (tmp_path / TITLES_FILE).stat().st_size == 8 * len(TITLES)  # 8 bytes a title, no text
    again = TrainingTitles.load(tmp_path / TITLES_FILE)
    assert np.array_equal(again.hashes, titles.hashes) and vocab.encode(TITLES[3]) in again


@pytest.mark.parametrize("content", [b"1234567", b"x" * 12])
def test_a_damaged_titles_file_is_a_clear_error(tmp_path, content):
    (tmp_path / TITLES_FILE).write_bytes(content)
    with pytest.raises(chargen.ChargenError, match="titles.u64: not a valid training-titles file"):
        TrainingTitles.load(tmp_path / TITLES_FILE)
    (tmp_path / "dir.u64").mkdir()
    with pytest.raises(chargen.ChargenError, match="not a valid training-titles file"):
        TrainingTitles.load(tmp_path / "dir.u64")


def test_the_shipped_lesson_model_copies_a_training_title_when_led_to_it():
    gen = chargen.load("lesson")
    if not Path(gen.card.data.source).exists():  # the shared data beside the project, as the card names it
        pytest.skip(f"{gen.card.data.source} is not here")
    train_rows, _ = card_split(gen.card.data)
    title = "Report: Bribes Got Bomb Suspects on Planes (AP)"
    assert title in field_texts(train_rows)
    out = gen.generate("Report: Bribes Got Bomb Suspects on Planes ", greedy=True, length=60)
    assert "Report: Bribes Got Bomb Suspects on Planes " + out.text == title and gen.copied(out) is True
    assert gen.copied(gen.generate("Report: Bribes Got Bomb Suspects on Planes ", greedy=True, length=3)) is False  # unfinished
    assert gen.copied(gen.generate("Little red riding hood ", greedy=True, length=100)) is False


def test_a_bundle_without_titles_says_it_cannot_tell(gen):
    assert gen.training_titles is None and gen.copied(gen.generate("Oil", length=5, seed=0)) is None
