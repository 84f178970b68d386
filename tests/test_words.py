"""Word level: the same model, decoder, trace and evaluation as characters."""
import math

import numpy as np
import pytest

import chargen
from chargen.evaluate import evaluate_texts
from chargen.fast import FastModel
from chargen.vocab import WordVocab
from tests.conftest import make_bundle


@pytest.fixture(scope="module")
def word_gen(tmp_path_factory):
    return chargen.load(make_bundle(tmp_path_factory.mktemp("w") / "words", level="word", embedding=6))


def test_word_round_trip_and_punctuation_joining():
    text = 'Oil (Reuters), "big" deal: 5% up; U.S. firm\'s $1.5bn bid!'
    vocab = WordVocab.build([text])
    assert vocab.decode(vocab.encode(text)) == 'Oil (Reuters), " big " deal: 5% up; U.S. firm\'s $1.5bn bid!'
    assert vocab.join(["Oil", ",", "up", "(", "AP", ")", "."]) == "Oil, up (AP)."


def test_generation_gives_whole_words_and_a_level_neutral_trace(word_gen):
    out = word_gen.generate("Oil prices ", length=12, temperature=0.8, seed=0, stop_at_end=False)
    assert out.level == "word" and len(out.steps) == 12
    words = set(word_gen.vocab.tokens)
    assert all(s.token in words and s.char == s.token for s in out.steps)
    assert out.text == "".join(s.text for s in out.steps)
    assert out.text.split() and all(w in words or w.strip(",.:;") for w in out.text.split())


def test_unknown_prompt_words_are_reported(word_gen):
    out = word_gen.generate("Oil Presid", length=3, seed=0)
    assert out.unknown == ["Presid"]  # the last word counts as complete (documented)


def test_unk_is_never_emitted_at_high_temperature(word_gen):
    for seed in range(10):
        out = word_gen.generate("", length=50, temperature=50.0, seed=seed, stop_at_end=False, alternatives=100)
        assert word_gen.vocab.unk not in {s.id for s in out.steps}
        assert all(token != "<unk>" for s in out.steps for token, *_ in s.top)


def test_word_seed_determinism_and_compare(word_gen):
    rows = word_gen.compare("Oil ", [0.5, 1.5], length=10, seed=5)
    assert rows[1].text == word_gen.generate("Oil ", temperature=1.5, length=10, seed=5).text


def test_fast_step_matches_keras_for_a_word_model(word_gen):
    ids = np.array([[1, 5, 6, 7, 3]])
    expected = word_gen.model.predict(ids, verbose=0)
    fast = FastModel(word_gen.model, word_gen.card.architecture.to_dict())
    state, got = fast.initial_state(1), []
    for t in range(ids.shape[1]):
        probs, state = fast.step(ids[:, t], state)
        got.append(probs)
    np.testing.assert_allclose(np.stack(got, 1), expected, atol=1e-5)


def test_open_vocabulary_bits_by_hand(tmp_path):
    """A model whose output is uniform over V tokens: every prediction costs log2 V bits."""
    path = make_bundle(tmp_path / "uniform", level="word", texts=["the cat sat", "the cat ran", "a zebra"])
    gen = chargen.load(path)
    output = gen.model.get_layer("output")
    output.set_weights([np.zeros_like(w) for w in output.get_weights()])
    gen = chargen.Generator(gen.model, gen.vocab, gen.card)
    vocab = gen.vocab
    v = len(vocab)
    # "the dog": first word given its first character, "dog" out of vocabulary, then the end
    t_words = sum(1 for t in vocab.tokens[5:] if t.startswith("t"))
    expected = (math.log2(v) + math.log2(t_words / v)) + (math.log2(v) + vocab.spelling_bits("dog")) + math.log2(v)
    result = evaluate_texts(gen, ["the dog"])
    assert result["bits_per_title"] == pytest.approx(expected, abs=1e-3)
    assert result["predictions_per_title"] == 3 and result["bpc"] == pytest.approx(expected / len("the dog"), abs=1e-3)
    # a character bundle on the same text, by hand: 7 characters, the first given, 7 predictions (6 + end)
    char_gen = chargen.load(make_bundle(tmp_path / "chars", texts=["the dog"]))
    assert evaluate_texts(char_gen, ["the dog"])["predictions_per_title"] == 7


def test_a_case_folded_word_model_reads_lower_case_writes_usual_case_and_pays_for_case(tmp_path):
    texts = ["Oil Prices Rise", "Oil prices fall", "OIL up", "Rain stops play"]
    gen = chargen.load(make_bundle(tmp_path / "folded", level="word", texts=texts, normalization="clean-lower"))
    assert all(token == token.lower() for token in gen.vocab.tokens)
    assert gen.prompt_text("OIL PRICES ") == "OIL PRICES "  # shown as typed; read as "oil prices "
    out = gen.generate("OIL PRICES ", length=30, seed=0, stop_at_end=False)
    assert [s.text.strip() for s in out.steps] == [gen.vocab.casing.restore(s.token) for s in out.steps]
    assert gen.vocab.casing.restore("oil") == "Oil" and gen.vocab.casing.restore("prices") in ("Prices", "prices")
    # the model reads both titles as "oil prices": they differ only by the bits to restore their case
    usual, odd = (evaluate_texts(gen, [t])["bits_per_title"] for t in ("Oil prices", "oIL PRICES"))
    case_usual, case_odd = gen.vocab.case_bits("Oil prices"), gen.vocab.case_bits("oIL PRICES")
    assert case_odd > case_usual > 0 and odd - usual == pytest.approx(case_odd - case_usual, abs=1e-3)
    assert evaluate_texts(gen, ["oIL PRICES"])["case_bits_per_title"] == pytest.approx(case_odd, abs=1e-3)


def test_a_prompt_ending_in_a_space_is_followed_without_a_double_space(word_gen):
    out = word_gen.generate("Oil prices ", length=3, seed=0, stop_at_end=False)
    assert not out.text.startswith(" ")
    assert word_gen.generate("Oil prices", length=3, seed=0, stop_at_end=False).text.startswith(" ")
