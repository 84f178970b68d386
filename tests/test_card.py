"""The model card: one definition, its round trip, old cards, and every field checked on reading."""
import copy
import json
import math
from pathlib import Path

import pytest

from chargen import ChargenError
from chargen.card import (FORMAT_VERSION, Architecture, Card, Data, Evaluation, Origin, Training, Validation,
                          read_card, write_card)

FULL = Card(  # every field set: what a fine-tuned, averaged, half-size, evaluated bundle records
    level="word",
    architecture=Architecture(cell="gru", layers=2, units=64, embedding=16, dropout=0.25, recurrent_dropout=0.1),
    parameters=123_456,
    data=Data(source="data/train.csv.gz", fields=("title",), extra=("description",), train_rows=900,
              validation_rows=100, validation_split_seed=3, normalization="clean-lower"),
    training=Training(batch_size=32, lr=1e-4, optimizer="adam", seed=3, max_len=60, precision="mixed_bfloat16", ema=0.995,
                      strategy="mirrored", replicas=2),
    epochs=5, best_epoch=4, training_seconds=61.5,
    validation=Validation(level="word", bits_per_token=8.4012),
    test=Evaluation(bits_per_char=2.467, bits_per_title=101.369, case_bits_per_title=3.2, bits_per_token=12.007,
                    predictions_per_title=8.44, titles=7600, data="test.csv.gz"),
    decoding_chars_per_second=2733,
    averaged_checkpoints=("epoch4.keras", "epoch5.keras"),
    initialized_from=Origin(bundle="words0", data=Data(source="data/train.csv.gz"), epochs=20, best_epoch=19,
                            training=Training(batch_size=64, lr=2e-3, optimizer="rmsprop", seed=0),
                            averaged_checkpoints=("epoch19.keras",),
                            training_seconds=3600.0, validation=Validation(level="word", bits_per_token=8.9),
                            initialized_from=Origin(bundle="words-1", epochs=1)),
    stored_float16=("embedding", "output"),
    float16_bits_change=-0.0001,
)


def test_round_trip_write_read_equal(tmp_path):
    write_card(tmp_path / "card.json", FULL)
    assert read_card(tmp_path / "card.json") == FULL
    assert Card.from_dict(json.loads(json.dumps(FULL.to_dict()))) == FULL
    minimal = Card(level="char", architecture=Architecture(cell="lstm", layers=1, units=8, embedding=0))
    write_card(tmp_path / "minimal.json", minimal)
    assert read_card(tmp_path / "minimal.json") == minimal
    # Unset figures are left out of the file, not written as null.
    assert json.loads((tmp_path / "minimal.json").read_text()) == {
        "format_version": FORMAT_VERSION, "level": "char",
        "architecture": {"cell": "lstm", "layers": 1, "units": 8, "embedding": 0, "dropout": 0.0, "recurrent_dropout": 0.0}}


def test_every_figure_is_named_by_its_unit():
    data = FULL.to_dict()
    assert data["validation"] == {"level": "word", "bits_per_token": 8.4012}
    assert data["test"]["bits_per_char"] == 2.467 and data["test"]["bits_per_title"] == 101.369
    assert not {"val_bpc", "test_bpc", "test_bits_per_title"} & set(data) and "bpc" not in data["test"]


def test_the_writer_refuses_an_invalid_card(tmp_path):
    import dataclasses

    bad = dataclasses.replace(FULL, architecture=dataclasses.replace(FULL.architecture, units=-1))
    with pytest.raises(ChargenError, match="architecture.units"):
        write_card(tmp_path / "card.json", bad)
    assert not (tmp_path / "card.json").exists()


# A format-1 card as the shipped `words` and `default` cards were written before this schema: bits per
# token under `val_bpc` (8.4 per WORD), `test.bpc`, top-level copies, `data.level`, a fine-tune's history.
OLD_CARD = {
    "architecture": {"cell": "lstm", "layers": 1, "units": 256, "embedding": 64, "dropout": 0.25},
    "parameters": 4180704,
    "data": {"source": "../shared/data/ag_news/train_subset.csv.gz", "fields": ["title"], "extra": [],
             "train_rows": 10797, "validation_rows": 1200, "validation_split_seed": 0,
             "normalization": "clean-lower", "level": "word"},
    "training": {"batch_size": 64, "lr": 0.002, "optimizer": "adam", "seed": 0, "max_len": 60},
    "initialized_from": {"bundle": "words0", "data": {"source": "x.csv", "fields": ["title"], "extra": ["description"],
                                                      "level": "word"},
                         "epochs": 20, "training_seconds": 21239.8, "val_bpc": 9.1,
                         "averaged_checkpoints": ["epoch17.keras"]},
    "epochs": 4, "training_seconds": 449.7, "val_bpc": 8.4012, "best_epoch": 4, "format_version": 1, "level": "word",
    "stored_float16": ["embedding", "output"], "float16_bits_change": 0.0,
    "test": {"data": "test.csv.gz", "titles": 7600, "bits_per_title": 101.369, "bpc": 2.467,
             "predictions_per_title": 8.44, "bits_per_token": 12.007},
    "test_bpc": 2.467, "test_bits_per_title": 101.369, "decoding_chars_per_second": 2733,
}


def test_an_old_card_loads_into_the_new_fields(tmp_path):
    (tmp_path / "card.json").write_text(json.dumps(OLD_CARD))
    card = read_card(tmp_path / "card.json")
    assert card.validation == Validation(level="word", bits_per_token=8.4012)  # per word, not per character
    assert card.test == Evaluation(bits_per_char=2.467, bits_per_title=101.369, bits_per_token=12.007,
                                   predictions_per_title=8.44, titles=7600, data="test.csv.gz")
    assert card.data.normalization == "clean-lower" and card.data.fields == ("title",)
    assert card.initialized_from.validation == Validation(level="word", bits_per_token=9.1)
    assert card.initialized_from.data.extra == ("description",) and card.initialized_from.bundle == "words0"
    assert card.stored_float16 == ("embedding", "output") and card.decoding_chars_per_second == 2733
    write_card(tmp_path / "new.json", card)  # rewritten in the new schema, the same numbers
    assert read_card(tmp_path / "new.json") == card
    assert json.loads((tmp_path / "new.json").read_text())["format_version"] == FORMAT_VERSION


def test_the_oldest_cards_load_too(tmp_path):
    # Before `test` was a section: only the top-level figures; and a test bundle's card with almost nothing.
    oldest = {k: v for k, v in OLD_CARD.items() if k != "test"}
    (tmp_path / "card.json").write_text(json.dumps(oldest))
    assert read_card(tmp_path / "card.json").test == Evaluation(bits_per_char=2.467, bits_per_title=101.369)
    bare = {"format_version": 1, "level": "char", "data": {"source": "tests"}, "epochs": 0,
            "architecture": {"cell": "lstm", "layers": 1, "units": 8, "embedding": 0, "dropout": 0.0, "recurrent_dropout": 0.0}}
    (tmp_path / "card.json").write_text(json.dumps(bare))
    card = read_card(tmp_path / "card.json")
    assert card.data == Data(source="tests") and card.validation is None and card.test is None


@pytest.mark.parametrize("name", ["default", "lesson", "words"])
def test_the_shipped_cards_as_they_were_load_as_the_rewritten_ones(name):
    from chargen.bundle import WEIGHTS_DIR

    old = Path(__file__).parent / "old_cards" / f"{name}.json"  # copies of the format-1 cards shipped before
    assert json.loads(old.read_text())["format_version"] == 1
    assert read_card(old) == read_card(WEIGHTS_DIR / name / "card.json")


def test_shipped_cards_are_in_the_new_schema_with_their_figures():
    from chargen.bundle import WEIGHTS_DIR

    figures = {name: read_card(WEIGHTS_DIR / name / "card.json") for name in ("lesson", "default", "words")}
    for name, card in figures.items():
        assert json.loads((WEIGHTS_DIR / name / "card.json").read_text())["format_version"] == FORMAT_VERSION, name
    # The numbers of the format-1 cards they replaced.
    assert figures["words"].validation == Validation(level="word", bits_per_token=8.4012)
    assert figures["words"].test.bits_per_char == 2.467 and figures["words"].test.bits_per_title == 101.369
    assert figures["lesson"].validation.bits_per_token == 2.5267 and figures["lesson"].test.bits_per_char == 2.5482
    assert figures["default"].test.bits_per_title == 85.678
    assert figures["default"].initialized_from.validation == Validation(level="char", bits_per_token=2.0684)


# -- every field x {wrong type, absurd value} -------------------------------------------------

def leaves(data, prefix=""):
    """Dotted paths of every field of a card's JSON object (a list counts as one field)."""
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield path
            yield from leaves(value, path + ".")
        else:
            yield path


FIELDS = [p for p in leaves(FULL.to_dict()) if p != "format_version"]

# A value of another JSON type for each kind of field.
WRONG_TYPE = {int: "3", float: "2.5", str: 7, list: "title", dict: [1, 2], bool: "yes"}

# Absurd values of the right type: negative, zero where it cannot be, huge (a MemoryError today), NaN,
# infinite, not one of the choices.
HUGE = 10**9
ABSURD = {
    "level": ["byte"], "architecture": [{}], "architecture.cell": ["transformer", ""],
    "architecture.layers": [0, -1, HUGE, 10**400], "architecture.units": [0, -1, HUGE],
    "architecture.embedding": [-1, HUGE], "architecture.dropout": [1.0, -0.1, math.nan, math.inf],
    "architecture.recurrent_dropout": [1.0, -0.2, math.nan],
    "parameters": [-1, 2**80], "data": [{"fields": ["title"]}], "data.source": [""], "data.fields": [[""], [3]],
    "data.extra": [[None]], "data.train_rows": [-1], "data.validation_rows": [-5],
    "data.validation_split_seed": [-1, 2**64], "data.normalization": ["", "upper"],
    "training": [{"lr": 1e-3}], "training.batch_size": [0, -64, 2**40], "training.lr": [0, -1e-3, math.nan, math.inf, 1e9],
    "training.optimizer": [""], "training.seed": [-1], "training.max_len": [0, -60],
    "training.precision": ["float8", ""], "training.ema": [0.0, 1.0, -0.5, math.nan], "training.strategy": ["tpu"],
    "training.replicas": [0, -2, 2**40],
    "epochs": [-1, 3], "best_epoch": [-4, 6], "training_seconds": [-1.0, math.nan, math.inf, 10**400],
    "validation": [{"level": "word"}], "validation.level": ["char", "byte"],
    "validation.bits_per_token": [-0.5, math.nan, math.inf],
    "test": [{}], "test.bits_per_char": [-1.0, math.nan], "test.bits_per_title": [math.inf, -3.0],
    "test.case_bits_per_title": [-0.1], "test.bits_per_token": [math.nan], "test.predictions_per_title": [-1.0],
    "test.titles": [-1], "test.data": [""], "decoding_chars_per_second": [-1, 2**70],
    "averaged_checkpoints": [[""], [1]], "initialized_from": [{"epochs": 3}], "initialized_from.bundle": [""],
    "initialized_from.data": [{"source": ""}], "initialized_from.data.source": [""],
    "initialized_from.epochs": [-1], "initialized_from.best_epoch": [-1],
    "initialized_from.training_seconds": [math.nan], "initialized_from.validation": [{}],
    "initialized_from.validation.level": ["byte"], "initialized_from.validation.bits_per_token": [-1.0],
    "initialized_from.averaged_checkpoints": [[""]], "initialized_from.training": [{"seed": 1}],
    "initialized_from.training.batch_size": [0], "initialized_from.training.lr": [math.nan],
    "initialized_from.training.optimizer": [""], "initialized_from.training.seed": [-3], "initialized_from.initialized_from": [{}],
    "initialized_from.initialized_from.bundle": [""], "initialized_from.initialized_from.epochs": [-2],
    "stored_float16": [["rnn_0"], ["embedding", ""]], "float16_bits_change": [math.nan, 5.0],
}


def test_the_matrix_covers_every_field():
    assert set(ABSURD) == set(FIELDS)


def with_value(data: dict, path: str, value) -> dict:
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[key]
    target[last] = value
    return data


def get(data: dict, path: str):
    for key in path.split("."):
        data = data[key]
    return data


CASES = [(path, WRONG_TYPE[type(get(FULL.to_dict(), path))]) for path in FIELDS]
CASES += [(path, value) for path in FIELDS for value in ABSURD[path]]


@pytest.mark.parametrize("path, value", CASES, ids=[f"{p}={v!r:.20}" for p, v in CASES])
def test_a_bad_field_is_named_with_its_file(tmp_path, path, value):
    file = tmp_path / "card.json"
    file.write_text(json.dumps(with_value(FULL.to_dict(), path, value)))
    with pytest.raises(ChargenError) as error:
        read_card(file)
    message = str(error.value)
    assert message.startswith(f"{file}: ")
    # Named: the field itself, or (for a section missing what it needs) the section with the missing field.
    assert f"field {path}" in message or f"field {path}." in message, message


@pytest.mark.parametrize("version", [0, -1, "1", 1.5, None, True])
def test_format_version_must_be_a_known_version(tmp_path, version):
    (tmp_path / "card.json").write_text(json.dumps({**FULL.to_dict(), "format_version": version}))
    with pytest.raises(ChargenError, match="field format_version"):
        read_card(tmp_path / "card.json")


def test_unknown_and_missing_fields_are_named(tmp_path):
    file = tmp_path / "card.json"
    file.write_text(json.dumps({**FULL.to_dict(), "val_bpc": 2.0}))  # an old name in a new card
    with pytest.raises(ChargenError, match="unknown field.*'val_bpc'"):
        read_card(file)
    file.write_text(json.dumps({k: v for k, v in FULL.to_dict().items() if k != "architecture"}))
    with pytest.raises(ChargenError, match="required field 'architecture' is missing"):
        read_card(file)
    file.write_text(json.dumps(with_value(FULL.to_dict(), "architecture", {"cell": "lstm", "layers": 1, "units": 8})))
    with pytest.raises(ChargenError, match="field architecture: required field 'embedding'"):
        read_card(file)
