import gzip

import numpy as np
import pytest

from chargen import ChargenError
from chargen.card import Data
from chargen.data import bucket_batches, card_split, field_texts, make_dataset, read_csv, read_source, read_tfds, split_validation, to_sequences
from chargen.vocab import CharVocab
from tests.conftest import TITLES


def test_csv_and_gzip_and_fields(titles_csv, tmp_path):
    records = read_csv(titles_csv)
    assert records[0] == (TITLES[0], f"About {TITLES[0].lower()}.")
    gz = tmp_path / "titles.csv.gz"
    gz.write_bytes(gzip.compress(titles_csv.read_bytes()))
    assert read_source(gz) == records
    assert field_texts(records, ("title",)) == TITLES
    assert field_texts(records, ("title", "description"))[0] == f"{TITLES[0]} About {TITLES[0].lower()}."
    with pytest.raises(ChargenError, match="fields"):
        field_texts(records, ("body",))


def test_quoted_fields_with_commas_and_quotes(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('"3","Oil, gas and ""shale""","x"\n')
    assert read_csv(path) == [('Oil, gas and "shale"', "x")]


def test_text_file_one_example_per_line(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("first line\n\n  second line  \n")
    assert field_texts(read_source(path)) == ["first line", "second line"]


@pytest.mark.parametrize("name, content, message", [
    ("missing.csv", None, "missing.csv: file not found"),
    ("empty.csv", b"", "contains no rows"),
    ("two.csv", b'"1","title","desc"\n"2","only two"\n', "line 2: expected 3 columns"),
    ("header.csv", b'Class Index,Title,Description\n"1","a","b"\n', "line 1: expected 3 columns"),
    ("binary.csv", b'"1","a","b"\n\xff\xfe\x00', "line 2: not UTF-8"),
    ("broken.csv", b'"1","a","b"\n"2","unterminated\n', "not valid CSV"),
    ("bad.csv.gz", b"not gzip", "not a valid gzip"),
    ("empty.txt", b"\n\n", "contains no examples"),
    ("nul.txt", b"fine title\nbad\x00title\n", "line 2: contains a NUL byte"),
    ("nul.csv", b'"1","a","b"\n"2","a\x00","b"\n', "line 2: contains a NUL byte"),
    ("long.txt", b"fine title\n" + b"x" * 20_001 + b"\nanother\n", "line 2: an example of 20,001 characters"),
    ("long.csv", b'"1","a","b"\n"2","a","' + b"y" * 30_000 + b'"\n', "line 2: an example of 30,000 characters"),
])
def test_bad_files_name_the_file_and_line(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ChargenError, match=message) as error:
        read_source(path)
    assert name in str(error.value)


def test_tfds_source_offline_with_mock_data():
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=12):
        records = read_tfds("ag_news_subset", split="train")
        assert len(records) == 12 and all(isinstance(t, str) and isinstance(d, str) for t, d in records)
        assert read_source("tfds:ag_news_subset", split="test")


def test_split_is_seeded_and_disjoint():
    rows = list(range(100))
    train, val = split_validation(rows, 0.1, seed=3)
    assert len(val) == 10 and sorted(train + val) == rows
    assert split_validation(rows, 0.1, seed=3) == (train, val)
    with pytest.raises(ChargenError):
        split_validation(rows, 1.5, seed=0)


@pytest.mark.parametrize("source", ["tf.data", "numpy", "numpy, fixed shapes"])
def test_pipeline_batches_sparse_targets_padding_and_buckets(source):
    vocab = CharVocab.build(TITLES + ["x" * 60])
    sequences = to_sequences(vocab, TITLES + ["x" * 60])
    assert sequences[0][0] == vocab.bos and sequences[0][-1] == vocab.eos
    if source == "tf.data":
        batches = [(x.numpy(), y.numpy()) for x, y in make_dataset(sequences, batch_size=4, seed=0, bucket_width=16)]
    else:
        batches = list(bucket_batches(sequences, batch_size=4, rng=np.random.default_rng(0), bucket_width=16,
                                      fixed_shapes=source == "numpy, fixed shapes"))
    seen = 0
    for x, y in batches:
        assert x.shape == y.shape and x.dtype == np.int32
        shifted = x[:, 1:] != 0
        np.testing.assert_array_equal(x[:, 1:][shifted], y[:, :-1][shifted])  # targets = inputs shifted
        seen += int((y != 0).sum())
        lengths = (y != 0).sum(1)[(y != 0).any(1)]
        assert lengths.max() - lengths.min() < 16 or len(lengths) == 1  # bucketing keeps padding small
        if source == "numpy, fixed shapes":  # a few shapes: all rows, the bucket's longest length
            assert x.shape[0] == 4 and x.shape[1] in (16, 32, 48, 61) and lengths.max() > x.shape[1] - 16
        else:
            assert x.shape[1] == lengths.max()
    assert seen == sum(len(s) - 1 for s in sequences)  # every real target once, padding never


def test_numpy_batches_are_shuffled_afresh_each_epoch_and_reproducibly():
    sequences = [[1] + [5] * n + [2] for n in range(1, 40)]
    def epochs(seed):
        rng = np.random.default_rng(seed)
        return [[x.tolist() for x, _ in bucket_batches(sequences, 4, rng)] for _ in range(2)]
    first, second = epochs(0)
    assert first != second and epochs(0) == [first, second]
    unshuffled = [(x != 0).sum(1).tolist() for x, _ in bucket_batches(sequences, 4, bucket_width=100)]
    assert sum(unshuffled, []) == [len(s) - 1 for s in sequences]  # no rng: in the order given


def test_card_split_gives_back_the_runs_own_split(titles_csv):
    records = read_source(titles_csv)
    train, val = split_validation(records, 0.25, seed=5)  # as training splits, from its options
    card = Data(source=str(titles_csv), validation_rows=len(val), validation_split_seed=5)  # as its card records it
    assert card_split(card) == (train, val)
