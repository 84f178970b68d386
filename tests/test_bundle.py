"""Bundles: saving, loading, and every way a bundle's files can be wrong (issue 17), by kind.

Each bad file, field or mismatch gives a ChargenError that names the file and the field.
The bundles are tiny, made in the test (tests/conftest.py); each case damages a copy.
"""
import dataclasses
import json
import math
import shutil

import pytest

import chargen
from chargen import ChargenError, bundle
from chargen.card import FORMAT_VERSION, read_card
from chargen.vocab import RESERVED, WordVocab, load_vocab
from tests.conftest import TITLES, make_bundle


def test_load_round_trip_and_card(char_bundle):
    gen = chargen.load(char_bundle)
    card = json.loads((char_bundle / "card.json").read_text())
    assert gen.card.to_dict() == card and card["format_version"] == FORMAT_VERSION
    assert gen.card.architecture.units == 8 and gen.card.parameters == gen.model.count_params()
    assert gen.model.output_shape[-1] == len(gen.vocab)
    assert gen.vocab.decode(gen.vocab.encode("Oil")) == "Oil"


@pytest.fixture(scope="module")
def deep_bundle(tmp_path_factory):
    """The other side of every architecture field: GRU, two layers, an embedding, dropout, words."""
    return make_bundle(tmp_path_factory.mktemp("deep") / "bundle", level="word", cell="gru", layers=2, units=8,
                       embedding=6, dropout=0.25, normalization="clean-lower")


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


@pytest.mark.parametrize("name", [123, 3.5, b"default", ["default"], {"name": "default"}, "", "  ", object()],
                         ids=lambda v: type(v).__name__ + repr(v)[:10])
def test_load_refuses_what_is_not_a_bundle_name(name):
    with pytest.raises(ChargenError, match="a bundle is a directory path or a shipped name"):
        chargen.load(name)


def with_config(path, edit):
    """``path`` (a .keras zip) with its config.json passed through ``edit``."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        items = [(item, source.read(item.filename)) for item in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for item, data in items:
            target.writestr(item, edit(data.decode()).encode() if item.filename == "config.json" else data)


def test_a_keras_model_that_is_not_a_chargen_model(copy):
    with_config(copy / "model.keras", lambda config: config.replace('"output"', '"logits"'))
    with pytest.raises(ChargenError, match="model.keras: not a chargen model \\(no Dense layer named 'output' last\\)"):
        chargen.load(copy)


@pytest.mark.parametrize("damage", ["config disagrees with weights", "huge config"])
def test_corrupt_weights(copy, damage):
    path = copy / "model.keras"
    if damage == "config disagrees with weights":
        with_config(path, lambda config: config.replace('"units": 8', '"units": 16'))
    else:  # a billion units: out of memory in TensorFlow, not a crash
        with_config(path, lambda config: config.replace('"units": 8', '"units": 1000000000'))
    with pytest.raises(ChargenError, match="model.keras: weights file is corrupt"):
        chargen.load(copy)


@pytest.mark.parametrize("keep", [0.999, 0.5, 0.1, 0.0])
def test_a_truncated_weights_file_is_said_to_be_damaged(copy, keep):
    path = copy / "model.keras"
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ChargenError, match="model.keras: weights file is damaged") as refused:
        chargen.load(copy)
    assert "not found" not in str(refused.value)  # Keras' words for a file that is there


def test_a_file_that_is_not_a_keras_archive_is_said_to_be_damaged(copy):
    (copy / "model.keras").write_bytes(b"not a zip" * 100)
    with pytest.raises(ChargenError, match="model.keras: weights file is damaged"):
        chargen.load(copy)


FILES = ["card.json", "vocab.json", "model.keras", "words.txt"]


@pytest.mark.parametrize("name", FILES)
def test_a_file_that_is_a_directory(copy, name):
    (copy / name).unlink(missing_ok=True)  # the tiny bundle has no words.txt: a directory in its place
    (copy / name).mkdir()
    with pytest.raises(ChargenError, match=f"{name}: not a .* file \\(it is a directory\\)"):
        chargen.load(copy)


TEXT_DAMAGE = {
    "not UTF-8": (b"\xff\xfe\xfa oil \x80\x81", "not UTF-8 text"),
    "binary with NUL": (b"oil\x00\x01\x02prices\x00", "binary"),
}


@pytest.mark.parametrize("name", ["card.json", "vocab.json", "words.txt"])
@pytest.mark.parametrize("damage", TEXT_DAMAGE)
def test_a_text_file_that_is_not_text(copy, name, damage):
    content, expected = TEXT_DAMAGE[damage]
    (copy / name).write_bytes(content)
    with pytest.raises(ChargenError, match=f"{name}: not a valid .* file.*{expected}"):
        chargen.load(copy)


JSON_DAMAGE = {
    "cut short": ("{", "not valid JSON"),
    "a list": ("[1, 2]", "expected a JSON object"),
    "nested deeply": ("[" * 100_000 + "]" * 100_000, "nested too deeply|not valid JSON"),
    "a 5,000-digit number": ('{"level": ' + "9" * 5000 + "}", "not valid JSON"),
}


@pytest.mark.parametrize("name", ["card.json", "vocab.json"])
@pytest.mark.parametrize("damage", JSON_DAMAGE)
def test_a_json_file_that_is_not_a_json_object(copy, name, damage):
    content, expected = JSON_DAMAGE[damage]
    (copy / name).write_text(content)
    with pytest.raises(ChargenError, match=f"{name}: not a valid .* file.*({expected})"):
        chargen.load(copy)


def test_an_oversized_file_is_refused_before_it_is_read(copy, monkeypatch):
    from chargen import errors

    monkeypatch.setattr(errors, "MAX_FILE_BYTES", 100)
    with pytest.raises(ChargenError, match="card.json: not a valid card file \\(over"):
        chargen.load(copy)


# -- vocab.json: every field x {wrong type, absurd value} -------------------------------------

@pytest.fixture(scope="module")
def word_vocab_data():
    """A word vocabulary with every field: a case model (clean-lower) and a spelling model (words left out)."""
    return WordVocab.build(TITLES, "clean-lower", max_size=20).to_dict()


REMOVE = object()


def first(mapping):
    """The first key of an object: a token of the case model, a character of the spelling model."""
    return next(iter(mapping))


def _set(path, value):
    """A change to the vocabulary's JSON: follow ``path`` (keys, indexes, or ``first``), then set
    the last one to ``value`` (or remove it, for REMOVE)."""
    def change(data):
        keys = []
        target = data
        for key in path:
            keys.append(key(target) if callable(key) else key)
            if len(keys) < len(path):
                target = target[keys[-1]]
        if value is REMOVE:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
    return change


VOCAB_CASES = [  # (the field the message must name, the change)
    ("level", _set(["level"], 7)), ("level", _set(["level"], "byte")), ("level", _set(["level"], ["word"])),
    ("level", _set(["level"], REMOVE)),
    ("normalization", _set(["normalization"], 3)), ("normalization", _set(["normalization"], "upper")),
    ("tokens", _set(["tokens"], "to the")), ("tokens", _set(["tokens"], [])), ("tokens", _set(["tokens"], list(RESERVED))),
    ("tokens", _set(["tokens"], ["<bos>", "<pad>", "<eos>", "<unk>", "<bot>", "oil"])),  # reserved ids out of place
    ("tokens", _set(["tokens"], [*RESERVED, "oil", "oil"])),  # duplicate
    ("tokens[5]", _set(["tokens", 5], 5)), ("tokens[5]", _set(["tokens", 5], "")),
    ("tokens[5]", _set(["tokens", 5], "two words")), ("tokens[5]", _set(["tokens", 5], None)),
    ("casing", _set(["casing"], "forms")), ("casing", _set(["casing"], {})), ("casing", _set(["casing"], REMOVE)),
    ("casing.forms", _set(["casing", "forms"], [1])), ("casing.forms", _set(["casing", "forms"], {"": {"": 1}})),
    ("casing.forms[", _set(["casing", "forms", first], {})), ("casing.forms[", _set(["casing", "forms", first], [2])),
    ("casing.forms[", _set(["casing", "forms", first], {"Oil": -1})),
    ("casing.forms[", _set(["casing", "forms", first], {"Oil": 0})),
    ("casing.forms[", _set(["casing", "forms", first], {"Oil": 1.5})),
    ("casing.forms[", _set(["casing", "forms", first], {"Oil": 10**30})),
    ("casing.forms[", _set(["casing", "forms", first], {"Oil": math.nan})),
    ("spelling", _set(["spelling"], [])), ("spelling", _set(["spelling", "end"], REMOVE)),
    ("spelling.counts", _set(["spelling", "counts"], "abc")),
    ("spelling.counts", _set(["spelling", "counts"], {"ab": 1})),
    ("spelling.counts[", _set(["spelling", "counts", first], -1)),
    ("spelling.counts[", _set(["spelling", "counts", first], "3")),
    ("spelling.end", _set(["spelling", "end"], -1)), ("spelling.end", _set(["spelling", "end"], 10**20)),
    ("spelling.end", _set(["spelling", "end"], math.inf)),
    ("unknown field(s) 'words'", _set(["words"], [])),
]


@pytest.mark.parametrize("field, change", VOCAB_CASES, ids=[f"{i}-{f}" for i, (f, _) in enumerate(VOCAB_CASES)])
def test_a_bad_vocabulary_field_is_named_with_its_file(tmp_path, word_vocab_data, field, change):
    data = json.loads(json.dumps(word_vocab_data))
    change(data)
    path = tmp_path / "vocab.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ChargenError) as error:
        load_vocab(path)
    message = str(error.value)
    assert message.startswith(f"{path}: ") and (f"field {field}" in message or field in message), message


def test_a_character_vocabulary_holds_single_characters(tmp_path, char_bundle):
    data = json.loads((char_bundle / "vocab.json").read_text())
    data["tokens"][6] = "ab"
    (tmp_path / "vocab.json").write_text(json.dumps(data))
    with pytest.raises(ChargenError, match="field tokens\\[6\\]: 'ab' is not a char token"):
        load_vocab(tmp_path / "vocab.json")


def test_a_vocabulary_that_does_not_match_the_model(copy, tmp_path):
    other = make_bundle(tmp_path / "other", texts=["completely different text with many more letters: xyzqj!?"])
    shutil.copy(other / "vocab.json", copy / "vocab.json")
    with pytest.raises(ChargenError, match="vocab.json: field tokens: .* does not belong"):
        chargen.load(copy)


# -- the card against the weights: each architecture field, both ways --------------------------

def mismatches(card):
    """Each field of ``card`` changed to another valid value that the weights contradict."""
    arch = card.architecture
    return {
        "architecture.layers": dict(architecture=dataclasses.replace(arch, layers=3 - arch.layers)),
        "architecture.units": dict(architecture=dataclasses.replace(arch, units=arch.units * 2)),
        "architecture.cell": dict(architecture=dataclasses.replace(arch, cell={"lstm": "gru", "gru": "lstm"}[arch.cell])),
        "architecture.embedding": dict(architecture=dataclasses.replace(arch, embedding=7 if arch.embedding == 0 else 0)),
        "architecture.embedding ": dict(architecture=dataclasses.replace(arch, embedding=arch.embedding + 1)),
        "architecture.dropout": dict(architecture=dataclasses.replace(arch, dropout=0.5 if arch.dropout == 0 else 0.0)),
        "parameters": dict(parameters=card.parameters + 1),
        "stored_float16": dict(stored_float16=("embedding", "output")),
        "data.normalization": dict(data=dataclasses.replace(card.data, normalization="clean")),
        "level": dict(level={"char": "word", "word": "char"}[card.level], validation=None),
    }


@pytest.mark.parametrize("which", ["char_bundle", "deep_bundle"])
@pytest.mark.parametrize("field", ["architecture.layers", "architecture.units", "architecture.cell", "architecture.embedding",
                                   "architecture.embedding ", "architecture.dropout", "parameters", "stored_float16",
                                   "data.normalization", "level"])
def test_a_card_that_contradicts_its_weights(request, tmp_path, which, field):
    source = request.getfixturevalue(which)
    target = tmp_path / "bundle"
    shutil.copytree(source, target)
    card = read_card(target / "card.json")
    bundle.write_card(target, dataclasses.replace(card, **mismatches(card)[field]))
    with pytest.raises(ChargenError) as error:
        chargen.load(target)
    message = str(error.value)
    assert message.startswith(f"{target / 'card.json'}: field {field.strip()}: "), message


def test_one_layer_in_the_card_two_in_the_file(deep_bundle, tmp_path):
    shutil.copytree(deep_bundle, tmp_path / "b")
    card = read_card(tmp_path / "b" / "card.json")
    bundle.write_card(tmp_path / "b", dataclasses.replace(card, architecture=dataclasses.replace(card.architecture, layers=1)))
    with pytest.raises(ChargenError, match="field architecture.layers: the card says 1, the weights have 2 recurrent layer"):
        chargen.load(tmp_path / "b")


def test_the_deep_bundle_itself_loads(deep_bundle):
    gen = chargen.load(deep_bundle)
    assert gen.card.architecture.cell == "gru" and len(gen.fast.layers) == 2
    assert gen.generate("oil ", length=3, seed=0).steps


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
    assert half.card.stored_float16 == ("embedding", "output")
    assert {w.dtype for w in half.model.weights} == {"float32"}  # computes as it was trained
    bits = [evaluate_texts(g, texts[:50])["bits_per_title"] for g in (full, half)]
    assert abs(bits[1] - bits[0]) / bits[0] < 1e-3
    bundle.save_bundle(tmp_path / "again", half.model, half.vocab, half.card)  # back to full size
    assert chargen.load(tmp_path / "again").card.stored_float16 == ()


def test_progress_lists_a_bundles_snapshots_by_epoch(tmp_path):
    top = make_bundle(tmp_path / "model")
    assert chargen.progress(top) == []
    for epoch in (8, 1, 2):  # directory names need not sort as the epochs do
        snapshot = make_bundle(top / "progress" / f"e{epoch}")
        bundle.write_card(snapshot, dataclasses.replace(bundle.read_card(snapshot), epochs=epoch))
    assert [(epoch, path.name) for epoch, path in chargen.progress(top)] == [(1, "e1"), (2, "e2"), (8, "e8")]
    assert chargen.load(chargen.progress(top)[0][1]).card.epochs == 1
