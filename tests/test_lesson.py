"""chargen.lesson: the lesson's pipeline, model and O(n^2) generation, on tiny corpora."""
import numpy as np
import pytest

from chargen import ChargenError
from chargen.fast import FastModel
from chargen.lesson import ARCHITECTURE, lesson_bits, lesson_dataset, lesson_generate, lesson_model
from chargen.vocab import CharVocab
from tests.conftest import TITLES


@pytest.fixture(scope="module")
def vocab():
    return CharVocab.build(TITLES)


@pytest.fixture(scope="module")
def model(vocab):
    import keras

    keras.utils.set_random_seed(3)
    return lesson_model(len(vocab))


def stateful_greedy(model, vocab, prompt, length):
    """Greedy decoding the O(n) way: chargen's NumPy step reads the prompt once, then one
    character per step (no <bos>, as the lesson's model has none)."""
    fast = FastModel(model, ARCHITECTURE)
    banned = list(vocab.reserved_ids)
    logits, state = fast.read(vocab.encode(prompt))
    chosen = []
    for _ in range(length):
        logits[0, banned] = -np.inf
        chosen.append(int(logits[0].argmax()))
        logits, state = fast.logits(np.array(chosen[-1:]), state)
    return vocab.decode(chosen)


def test_dataset_is_pre_padded_one_hot_with_eos_appended(vocab):
    batches = list(lesson_dataset(vocab, TITLES[:5] + ["Oil"], batch_size=4))
    assert [x.shape[0] for x, _ in batches] == [4, 2]
    for (x, y), titles in zip(batches, [TITLES[:4], TITLES[4:5] + ["Oil"]]):
        x, y = x.numpy(), y.numpy()
        width = max(map(len, titles))
        assert x.shape == y.shape == (len(titles), width, len(vocab))
        np.testing.assert_array_equal(x.sum(-1), 1)  # one-hot, padding included (id 0)
        np.testing.assert_array_equal(y.sum(-1), 1)
        for r, title in enumerate(titles):
            ids = vocab.encode(title)
            padded = [vocab.pad] * (width - len(ids)) + ids
            np.testing.assert_array_equal(x[r].argmax(-1), padded)
            np.testing.assert_array_equal(y[r].argmax(-1), padded[1:] + [vocab.eos])  # shifted by one


def test_model_has_the_lesson_presets_weights_and_trains(vocab, model):
    from chargen.model import build_model

    ours = build_model(len(vocab), **ARCHITECTURE)
    assert [w.shape for w in model.get_weights()] == [w.shape for w in ours.get_weights()]
    history = model.fit(lesson_dataset(vocab, TITLES), epochs=1, verbose=0, shuffle=False)
    assert np.isfinite(history.history["loss"][0])


def test_bits_are_the_keras_models_own_probabilities(vocab, model):
    titles = TITLES[:3]
    total, count = 0.0, 0
    for title in titles:  # one title at a time, no padding: the model's probabilities as the lesson reads them
        ids = vocab.encode(title)
        probs = model(np.eye(len(vocab), dtype=np.float32)[ids][None])[0].numpy()
        total -= np.log2(probs[np.arange(len(ids)), ids[1:] + [vocab.eos]]).sum()
        count += len(ids)
    result = lesson_bits(model, vocab, titles)
    assert result["titles"] == 3 and result["predictions_per_title"] == round(count / 3, 2)
    assert result["bpc"] == pytest.approx(total / count, abs=1e-3)
    assert result["bits_per_title"] == pytest.approx(total / 3, rel=1e-4)


def test_greedy_generation_is_the_stateful_greedy_decoder(vocab, model):
    text = lesson_generate(model, vocab, "Oil ", length=25, stop_at_end=False)
    assert len(text) == 25
    assert text == stateful_greedy(model, vocab, "Oil ", 25)
    assert lesson_generate(model, vocab, "Oil ", length=25, stop_at_end=False) == text  # deterministic


def test_generation_runs_chargen_models_too(gen):
    text = lesson_generate(gen.model, gen.vocab, "Oil ", length=12, stop_at_end=False)
    assert len(text) == 12 and set(text) <= set(gen.vocab.tokens)


def test_sampled_generation_is_seeded(vocab, model):
    a = lesson_generate(model, vocab, "Oil ", length=20, temperature=1.5, seed=1, stop_at_end=False)
    b = lesson_generate(model, vocab, "Oil ", length=20, temperature=1.5, seed=1, stop_at_end=False)
    assert a == b and len(a) == 20


def test_generation_needs_a_known_prompt(vocab, model):
    with pytest.raises(ChargenError):
        lesson_generate(model, vocab, "", length=5)


def test_the_recipe_script_resumes_to_the_same_model(titles_csv, tmp_path):
    """benchmarks/lesson_recipe.py --resume continues from its last checkpoint: with titles in file
    order and no dropout, 1 epoch + 1 more gives the weights of 2 epochs in one go."""
    import json

    import keras

    from benchmarks.lesson_recipe import main

    data = ["--train", str(titles_csv), "--test", str(titles_csv)]
    main([*data, "--out", str(tmp_path / "whole"), "--checkpoints", "2"])
    main([*data, "--out", str(tmp_path / "split"), "--checkpoints", "1"])
    main([*data, "--out", str(tmp_path / "split"), "--checkpoints", "1,2", "--resume"])
    rows = json.loads((tmp_path / "split" / "results.json").read_text())["rows"]
    assert [r["epochs"] for r in rows] == [1, 2]
    whole = keras.models.load_model(tmp_path / "whole" / "epoch_02.keras").get_weights()
    split = keras.models.load_model(tmp_path / "split" / "epoch_02.keras").get_weights()
    assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(whole, split))
