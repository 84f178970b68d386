"""gen.score: every token of a given text, with the model's own probabilities."""
import numpy as np
import pytest

import chargen
from chargen import ChargenError
from chargen.evaluate import evaluate_texts
from tests.conftest import make_bundle


@pytest.fixture(scope="module")
def word_gen(tmp_path_factory):
    return chargen.load(make_bundle(tmp_path_factory.mktemp("w") / "words", level="word", embedding=6))


def keras_probabilities(gen, ids):
    """The Keras model's next-token distributions after <bos> and each of ``ids``."""
    return gen.model.predict(np.array([[gen.vocab.bos, *ids]]), verbose=0)[0]


def test_a_char_text_scored_against_the_keras_model(gen):
    text = "Oil up"  # every character is in the vocabulary
    ids = gen.vocab.encode(text)
    expected = keras_probabilities(gen, ids)  # row t: the distribution the t-th token was drawn from
    score = gen.score(text, alternatives=3)
    targets = [*ids, gen.vocab.eos]
    assert [t.token for t in score.tokens] == [*text, "<eos>"] and [t.id for t in score.tokens] == targets
    for t, (token, row) in enumerate(zip(score.tokens, expected)):
        assert token.prob == pytest.approx(row[targets[t]], rel=1e-4)
        assert token.bits == pytest.approx(-np.log2(row[targets[t]]), abs=1e-4)
        assert token.rank == 1 + (row > row[targets[t]] * (1 + 1e-5)).sum()
        assert [a.id for a in token.top] == list(np.argsort(-row)[:3])
        assert token.top[0].p_t1 == pytest.approx(row.max(), rel=1e-4)
    # the total as evaluate counts a title: the first character given, the end predicted
    assert score.bits == pytest.approx(sum(t.bits for t in score.tokens[1:]), rel=1e-6)
    assert score.characters == len(text) and score.bits_per_char == pytest.approx(score.bits / len(text))
    assert score.bits_per_char == pytest.approx(evaluate_texts(gen, [text])["bpc"], abs=1e-4)
    assert score.unknown == []


def test_unknown_characters_are_reported_not_fatal(gen):
    score = gen.score("Oil ☃ up")
    assert score.unknown == ["☃"] and "".join(t.token for t in score.tokens[:-1]) == "Oil  up"
    with pytest.raises(ChargenError, match="knows none"):
        gen.score("☃☃")
    for bad, message in ((None, "text must be text"), ("x" * 2_001, "limit"), ):
        with pytest.raises(ChargenError, match=message):
            gen.score(bad)
    with pytest.raises(ChargenError, match="alternatives"):
        gen.score("Oil", alternatives=-1)


def test_a_word_text_scored_against_the_keras_model(word_gen):
    text = "Oil prices zebra fall"  # "zebra" is not in the vocabulary: read as <unk>
    ids = word_gen.vocab.encode(text)
    assert word_gen.vocab.unk in ids
    expected = keras_probabilities(word_gen, ids)
    score = word_gen.score(text)
    assert [t.token for t in score.tokens] == ["Oil", "prices", "<unk>", "fall", "<eos>"]
    assert score.unknown == ["zebra"]
    for token, row in zip(score.tokens, expected):
        assert token.prob == pytest.approx(row[token.id], rel=1e-4)
    # bits on the characters' scale, as evaluate counts them (the unknown word spelled)
    assert score.characters == len(text)
    assert score.bits_per_char == pytest.approx(evaluate_texts(word_gen, [text])["bpc"], abs=1e-4)
    assert score.bits > sum(t.bits for t in score.tokens[1:])  # the spelling of "zebra" costs extra


@pytest.mark.parametrize("name", ["default", "words"])
def test_shipped_models_score_a_real_headline_as_keras_and_evaluate_do(name):
    if name not in chargen.shipped_names():
        pytest.skip(f"no shipped {name} bundle")
    gen = chargen.load(name)
    text = "Oil prices rise as stocks fall in Europe"
    score = gen.score(text)
    expected = keras_probabilities(gen, gen.vocab.encode(text))
    assert [t.prob for t in score.tokens] == pytest.approx([row[t.id] for t, row in zip(score.tokens, expected)], rel=1e-3)
    assert score.bits_per_char == pytest.approx(evaluate_texts(gen, [text])["bpc"], abs=1e-4)
    assert score.unknown == [] and 1 < score.bits_per_char < 5  # a real headline: a few bits per character
