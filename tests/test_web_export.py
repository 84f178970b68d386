"""export-web: a bundle for the browser (model.json and weights.bin). Parity with the Python decoder is
tested by node (tests/web); here, what the files hold, their sizes, and bad bundles refused as chargen.load refuses them."""
import json
import shutil

import numpy as np
import pytest

import chargen
from chargen import ChargenError
from chargen.cli import main
from chargen.web_export import MODEL_JSON, WEIGHTS_FILE, export_bundle


def tensors_of(folder):
    spec = json.loads((folder / MODEL_JSON).read_text())
    data = (folder / WEIGHTS_FILE).read_bytes()
    out = {}
    for t in spec["weights"]["tensors"]:
        dtype = "<f2" if t["dtype"] == "float16" else "<f4"
        out[t["name"]] = np.frombuffer(data[t["offset"]: t["offset"] + t["bytes"]], dtype=dtype).reshape(t["shape"])
    return spec, out


def test_the_weights_are_the_bundles_own_float32(tmp_path, deep_bundle_path):
    export_bundle(deep_bundle_path, tmp_path / "web")
    spec, tensors = tensors_of(tmp_path / "web")
    gen = chargen.load(deep_bundle_path)
    layers = {layer.name: layer.get_weights() for layer in gen.model.layers}
    assert np.array_equal(tensors["embedding"], layers["embedding"][0])
    assert np.array_equal(tensors["rnn_1.recurrent"], layers["rnn_1"][1]) and tensors["rnn_1.bias"].shape == (2, 24)
    assert np.array_equal(tensors["output.kernel"], layers["output"][0])
    assert spec["architecture"] | {"gates": None} == gen.card.architecture.to_dict() | {"gates": None}
    assert spec["vocab"]["tokens"] == gen.vocab.tokens and spec["vocab"]["normalization"]["name"] == "clean-lower"
    assert spec["card"] == gen.card.to_dict() and spec["weights"]["float16"] == []
    assert all(t["offset"] % 4 == 0 for t in spec["weights"]["tensors"])


def test_shipped_models_fit_the_page_and_keep_their_float16(tmp_path):
    sizes = {name: export_bundle(name, tmp_path / name) for name in ("default", "lesson", "words")}
    on_disk = {name: sum(f.stat().st_size for f in (tmp_path / name).iterdir()) for name in sizes}
    assert on_disk["default"] <= 8e6 and on_disk["lesson"] <= 1e6
    assert sizes["words"]["float16"] == ["embedding", "output"] and sizes["default"]["float16"] == []
    spec, tensors = tensors_of(tmp_path / "words")
    assert tensors["output.kernel"].dtype == np.float16 and tensors["rnn_0.kernel"].dtype == np.float32
    gen = chargen.load("words")  # loading widens the stored float16 exactly: the export casts nothing down
    assert np.array_equal(tensors["output.kernel"].astype(np.float32), gen.model.get_layer("output").get_weights()[0])
    assert spec["weights"]["float16_bits_change"] == gen.card.float16_bits_change


@pytest.mark.parametrize("damage", ["card", "vocab", "weights", "missing"])
def test_a_bad_bundle_gets_chargen_loads_message(tmp_path, char_bundle, damage, capsys):
    bad = tmp_path / "bad"
    shutil.copytree(char_bundle, bad)
    if damage == "card":
        card = json.loads((bad / "card.json").read_text())
        card["architecture"]["units"] = 9
        (bad / "card.json").write_text(json.dumps(card))
    elif damage == "vocab":
        (bad / "vocab.json").write_text("{not json")
    elif damage == "weights":
        (bad / "model.keras").write_bytes((bad / "model.keras").read_bytes()[:500])
    else:
        shutil.rmtree(bad)
    with pytest.raises(ChargenError) as loading:
        chargen.load(bad)
    with pytest.raises(ChargenError) as exporting:
        export_bundle(bad, tmp_path / "out")
    assert str(exporting.value) == str(loading.value)
    assert main(["export-web", str(bad), str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip() == f"error: {loading.value}"
    assert not (tmp_path / "out" / MODEL_JSON).exists()


def test_export_web_all_is_only_given_a_folder(tmp_path, capsys):
    assert main(["export-web", "--all", "lesson", str(tmp_path)]) == 2
    assert "give only the output folder" in capsys.readouterr().err


@pytest.fixture(scope="module")
def deep_bundle_path(tmp_path_factory):
    from tests.conftest import make_bundle

    return make_bundle(tmp_path_factory.mktemp("deep") / "bundle", level="word", cell="gru", layers=2, units=8,
                       embedding=6, dropout=0.25, normalization="clean-lower")
