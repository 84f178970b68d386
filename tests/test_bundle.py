import json
import shutil

import pytest

import chargen
from chargen import ChargenError, bundle
from tests.conftest import make_bundle


def test_load_round_trip_and_card(char_bundle):
    gen = chargen.load(char_bundle)
    card = json.loads((char_bundle / "card.json").read_text())
    assert gen.card["architecture"] == card["architecture"] and card["format_version"] == bundle.FORMAT_VERSION
    assert gen.model.output_shape[-1] == len(gen.vocab)
    assert gen.vocab.decode(gen.vocab.encode("Oil")) == "Oil"


@pytest.fixture
def copy(char_bundle, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(char_bundle, target)
    return target


def test_missing_bundle_and_files(tmp_path, copy):
    with pytest.raises(ChargenError, match="no model bundle"):
        chargen.load(tmp_path / "nowhere")
    (copy / "model.keras").unlink()
    with pytest.raises(ChargenError, match="weights file not found"):
        chargen.load(copy)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_corrupt_weights(copy, damage):
    path = copy / "model.keras"
    data = path.read_bytes()
    path.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"not a zip" * 100, "empty": b""}[damage])
    with pytest.raises(ChargenError, match="corrupt"):
        chargen.load(copy)


def test_vocabulary_that_does_not_match_the_model(copy, tmp_path):
    other = make_bundle(tmp_path / "other", texts=["completely different text with many more letters: xyzqj!?"])
    shutil.copy(other / "vocab.json", copy / "vocab.json")
    with pytest.raises(ChargenError, match="does not belong"):
        chargen.load(copy)


def test_card_problems(copy):
    card = json.loads((copy / "card.json").read_text())
    (copy / "card.json").write_text(json.dumps({k: v for k, v in card.items() if k != "architecture"}))
    with pytest.raises(ChargenError, match="architecture"):
        chargen.load(copy)
    (copy / "card.json").write_text(json.dumps({**card, "format_version": 99}))
    with pytest.raises(ChargenError, match="newer"):
        chargen.load(copy)
    (copy / "card.json").write_text("{")
    with pytest.raises(ChargenError, match="not valid JSON"):
        chargen.load(copy)


def test_failed_write_leaves_the_previous_file(tmp_path):
    target = tmp_path / "card.json"
    target.write_text("old")

    def failing(tmp):
        open(tmp, "w").write("partial")
        raise OSError("disk full")

    with pytest.raises(OSError):
        bundle.atomic_write(target, failing)
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]


def test_float16_storage_halves_the_vocabulary_layers_and_loads_as_float32(tmp_path):
    from chargen.evaluate import evaluate_texts

    texts = [f"Word{i} rises as word{i + 1} falls" for i in range(300)]  # a large vocabulary dominates the size
    full = chargen.load(make_bundle(tmp_path / "full", level="word", units=8, embedding=16, texts=texts))
    bundle.save_bundle(tmp_path / "half", full.model, full.vocab, full.card, float16=True)
    half = chargen.load(tmp_path / "half")
    size = {name: (tmp_path / name / "model.keras").stat().st_size for name in ("full", "half")}
    assert size["half"] < 0.7 * size["full"], size
    assert half.card["stored_float16"] == ["embedding", "output"]
    assert {w.dtype for w in half.model.weights} == {"float32"}  # computes as it was trained
    bits = [evaluate_texts(g, texts[:50])["bits_per_title"] for g in (full, half)]
    assert abs(bits[1] - bits[0]) / bits[0] < 1e-3
    bundle.save_bundle(tmp_path / "again", half.model, half.vocab, half.card)  # back to full size
    assert "stored_float16" not in chargen.load(tmp_path / "again").card
