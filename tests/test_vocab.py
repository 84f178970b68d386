import json
import math

import pytest

from chargen import ChargenError
from chargen.vocab import RESERVED, CaseModel, CharVocab, WordVocab, clean_ag_news, load_vocab, vocab_from_dict


def test_char_vocab_round_trip_and_reserved_ids(tmp_path):
    vocab = CharVocab.build(["abc", "cab!"])
    assert vocab.tokens[: len(RESERVED)] == list(RESERVED)
    assert (vocab.pad, vocab.bos, vocab.eos) == (0, 1, 2)
    ids = vocab.encode("cab!")
    assert all(i >= len(RESERVED) for i in ids)
    assert vocab.decode(ids) == "cab!"
    vocab.save(tmp_path / "v.json")
    again = load_vocab(tmp_path / "v.json")
    assert again == vocab and again.tokens == vocab.tokens


def test_unknown_characters_are_dropped_and_reported():
    vocab = CharVocab.build(["abc "])
    ids, unknown = vocab.encode_prompt("a☃b z")
    assert vocab.decode(ids) == "ab "
    assert unknown == ["☃", "z"]


def test_reserved_token_text_in_a_prompt_is_not_a_reserved_id():
    vocab = CharVocab.build(["<eos> ab"])
    assert vocab.eos not in vocab.encode("<eos>")


def test_clean_normalization_undoes_ag_news_debris():
    assert clean_ag_news("Today #39;s news") == "Today's news"
    assert clean_ag_news("Gaza &lt;b&gt;...&lt;/b&gt;") == "Gaza ..."
    assert clean_ag_news("Buys for \\$1.4 Billion") == "Buys for $1.4 Billion"
    assert clean_ag_news('as  quot;nuts, quot; adding') == 'as "nuts," adding'
    vocab = CharVocab.build(["Today's"], normalization="clean")
    assert vocab.decode(vocab.encode("Today #39;s")) == "Today's"


def load_vocab_from(vocab):
    return vocab_from_dict(json.loads(json.dumps(vocab.to_dict())))


def test_case_folded_word_vocab_reads_lower_case_and_writes_each_words_usual_form():
    vocab = WordVocab.build(["Oil Hits Record", "Oil's oil prices", "Oil up"], normalization="clean-lower")
    ids, unknown = vocab.encode_prompt("OIL #39;s RECORD")
    assert unknown == [] and [vocab.tokens[i] for i in ids] == ["oil's", "record"]
    assert "Oil" not in vocab.index and vocab.tokens.count("oil") == 1
    assert vocab.join(["oil", "prices", "up"]) == "Oil prices up"  # "Oil" twice, "oil" once
    assert vocab.display("OIL #39;s") == "OIL's"  # a prompt is shown as typed (cleaned)
    assert vocab.case_bits("Oil prices") == pytest.approx(1.0 + 1.0)  # 2 of 3 (+1 unseen); 1 of 1 (+1)
    assert load_vocab_from(vocab) == vocab and load_vocab_from(vocab).join(["oil"]) == "Oil"
    with pytest.raises(ChargenError, match="needs case model"):
        WordVocab(vocab.tokens, "clean-lower")


def test_case_model_bits_on_a_hand_checkable_corpus():
    # "oil" seen 3 times: "Oil" twice, "oil" once; one extra count is kept for an unseen form.
    model = CaseModel.count(["Oil", "up", "Oil", "oil", "US", "5"])
    assert model.bits("Oil") == pytest.approx(1.0)  # 2 of 4
    assert model.bits("oil") == pytest.approx(2.0)  # 1 of 4
    assert model.bits("5") == 0.0  # nothing to case
    # "OIL": an unseen form escapes (1 of 4) to its pattern, UPPER: (1 + 1) of (6 tokens + 4).
    assert model.bits("OIL") == pytest.approx(2.0 + math.log2(10 / 2))
    # "gAs": a token never seen, an odd pattern (0 + 1 of 10), then one bit for each of its 3 letters.
    assert model.bits("gAs") == pytest.approx(math.log2(10) + 3)
    assert model.restore("oil") == "Oil" and model.restore("gas") == "gas"


def test_word_tokenize_keeps_punctuation_and_case_and_joins_readably():
    vocab = WordVocab.build(["U.S. Crude Sets New Record: $47.52 (Reuters), Today's"])
    tokens = vocab.tokenize("U.S. Crude Sets New Record: $47.52 (Reuters), Today's")
    assert tokens == ["U.S.", "Crude", "Sets", "New", "Record", ":", "$", "47.52", "(", "Reuters", ")", ",", "Today's"]
    assert vocab.join(tokens) == "U.S. Crude Sets New Record: $47.52 (Reuters), Today's"


def test_unknown_words_become_unk_and_are_reported():
    vocab = WordVocab.build(["the cat sat"])
    ids, unknown = vocab.encode_prompt("the dog sat")
    assert ids[1] == vocab.unk and unknown == ["dog"]


def test_bad_vocabulary_files(tmp_path):
    with pytest.raises(ChargenError, match="not found"):
        load_vocab(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ChargenError, match="not a valid vocabulary"):
        load_vocab(tmp_path / "bad.json")
    (tmp_path / "odd.json").write_text('{"level": "char", "tokens": ["a", "b"]}')
    with pytest.raises(ChargenError, match="reserved"):
        load_vocab(tmp_path / "odd.json")
    with pytest.raises(ChargenError, match="empty"):
        CharVocab.build([""])


def test_clean_normalization_keeps_a_prompts_trailing_space():
    assert clean_ag_news("Today ") == "Today "
    assert clean_ag_news("Oil  \t prices") == "Oil prices"
