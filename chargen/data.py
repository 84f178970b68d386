"""Training text: AG News CSV, plain text, or tensorflow-datasets; and its batches (tf.data or NumPy).

A SOURCE is a path to a ``.csv``/``.csv.gz`` in AG News' original layout
(``class,title,description``, no header), a ``.txt``/``.txt.gz`` with one example
per line, or ``tfds:ag_news_subset`` (downloads through tensorflow-datasets).
"""
from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import numpy as np

from .errors import ChargenError

FIELDS = ("title", "description")
TFDS_PREFIX = "tfds:"
MAX_EXAMPLE_CHARS = 20_000  # AG News' longest description is about 1,000: longer is not a title or a description


def _open_text(path: Path):
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ChargenError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ChargenError(f"{path}: is a directory, not a data file") from None
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise ChargenError(f"{path}: not a valid gzip file ({e})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ChargenError(f"{path}, line {line}: not UTF-8 text") from None
    if "\x00" in text:  # a binary file, or a damaged one: NUL would become a token
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ChargenError(f"{path}, line {line}: contains a NUL byte; not a text file")
    return text


def _check_length(path, line, text):
    if len(text) > MAX_EXAMPLE_CHARS:
        raise ChargenError(f"{path}, line {line}: an example of {len(text):,} characters; the limit is {MAX_EXAMPLE_CHARS:,}")
    return text


def read_csv(path) -> list[tuple[str, str]]:
    """``(title, description)`` rows of an AG News CSV (``class,title,description``, no header)."""
    path = Path(path)
    reader = csv.reader(io.StringIO(_open_text(path), newline=""), strict=True)
    records = []
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != 3 or not row[0].strip().isdigit():
                raise ChargenError(
                    f"{path}, line {reader.line_num}: expected 3 columns (class,title,description) "
                    f"with a numeric class, got {len(row)} column(s): {str(row)[:80]}"
                )
            records.append(tuple(_check_length(path, reader.line_num, field.strip()) for field in row[1:]))
    except csv.Error as e:
        raise ChargenError(f"{path}, line {reader.line_num}: not valid CSV ({e})") from None
    if not records:
        raise ChargenError(f"{path}: contains no rows")
    return records


def read_lines(path) -> list[tuple[str, str]]:
    """One ``(line, "")`` record per non-empty line of a plain text file."""
    path = Path(path)
    lines = enumerate(_open_text(path).splitlines(), 1)
    records = [(_check_length(path, n, line.strip()), "") for n, line in lines if line.strip()]
    if not records:
        raise ChargenError(f"{path}: contains no examples")
    return records


def read_tfds(name="ag_news_subset", split="train", data_dir=None) -> list[tuple[str, str]]:
    """``(title, description)`` records from tensorflow-datasets' ``ag_news_subset``."""
    import tensorflow_datasets as tfds

    try:
        ds = tfds.load(name, split=split, data_dir=data_dir)
        rows = list(tfds.as_numpy(ds))
    except Exception as e:  # tfds raises many types: network, unknown name, unknown split
        raise ChargenError(f"tfds:{name} split {split!r} could not be loaded: {e}") from None
    return [(r["title"].decode("utf-8").strip(), r["description"].decode("utf-8").strip()) for r in rows]


def read_source(source, split="train") -> list[tuple[str, str]]:
    """``(title, description)`` records from any SOURCE (see the module doc)."""
    source = str(source)
    if source.startswith(TFDS_PREFIX):
        return read_tfds(source[len(TFDS_PREFIX):], split=split)
    if source.lower().removesuffix(".gz").endswith(".csv"):
        return read_csv(source)
    return read_lines(source)


def field_texts(records, fields=("title",)) -> list[str]:
    """The chosen fields of each record joined by a space; empty results skipped."""
    unknown = set(fields) - set(FIELDS)
    if unknown or not fields:
        raise ChargenError(f"fields must be title and/or description, not {sorted(unknown) or 'nothing'}")
    texts = (" ".join(r[FIELDS.index(f)] for f in fields if r[FIELDS.index(f)]) for r in records)
    return [t for t in texts if t]


def split_validation(examples: list, fraction: float, seed: int) -> tuple[list, list]:
    """A seeded random split of records: (train, validation)."""
    if not 0 < fraction < 1:
        raise ChargenError(f"validation fraction must be between 0 and 1, not {fraction}")
    order = np.random.default_rng(seed).permutation(len(examples))
    n_val = max(1, int(round(len(examples) * fraction)))
    return [examples[i] for i in order[n_val:]], [examples[i] for i in order[:n_val]]


def card_split(data_card) -> tuple[list, list]:
    """A trained run's (train, validation) records, split again as its card's ``data`` (a ``chargen.card.Data``) records."""
    records = read_source(data_card.source)
    return split_validation(records, data_card.validation_rows / len(records), data_card.validation_split_seed)


def to_sequences(vocab, examples, max_len: int | None = None, start: int | None = None) -> list[list[int]]:
    """Each example as ``[start, t1, ..., tn, eos]`` ids (``start`` defaults to <bos>;
    at most ``max_len`` tokens kept)."""
    start = vocab.bos if start is None else start
    sequences = []
    for text in examples:
        ids = vocab.encode(text)[:max_len]
        if ids:
            sequences.append([start, *ids, vocab.eos])
    return sequences


def bucket_batches(sequences, batch_size=64, rng=None, bucket_width=16, fixed_shapes=False):
    """One epoch of ``(inputs, targets)`` int32 batches: inputs ``seq[:-1]``, sparse targets ``seq[1:]``,
    both padded with 0, which the loss ignores.

    Examples are taken in the order ``rng`` shuffles them (``None``: as given) and grouped by length in
    buckets ``bucket_width`` wide, so few steps go to padding: a bucket's batch is yielded when it holds
    ``batch_size`` examples, the part-filled ones at the end. A batch is as long as its longest example;
    ``fixed_shapes`` pads it to ``batch_size`` rows and its bucket's longest length instead, so a backend
    that compiles one program per shape (JAX) compiles a few.
    """
    if not sequences:
        raise ChargenError("no sequences to make batches from")
    lengths = np.array([len(s) - 1 for s in sequences], dtype=np.int64)
    longest = int(lengths.max())
    boundaries = np.arange(bucket_width + 1, longest + 1, bucket_width)  # bucket b: boundaries[b-1] <= length < boundaries[b]
    bucket_of = np.searchsorted(boundaries, lengths, side="right")

    def batch(members, bucket):
        rows = batch_size if fixed_shapes else len(members)
        width = (int(boundaries[bucket]) - 1 if bucket < len(boundaries) else longest) if fixed_shapes \
            else int(lengths[members].max())
        inputs, targets = np.zeros((rows, width), np.int32), np.zeros((rows, width), np.int32)
        for row, i in enumerate(members):
            inputs[row, : lengths[i]], targets[row, : lengths[i]] = sequences[i][:-1], sequences[i][1:]
        return inputs, targets

    filling = {}
    for i in rng.permutation(len(sequences)) if rng is not None else range(len(sequences)):
        members = filling.setdefault(bucket_of[i], [])
        members.append(i)
        if len(members) == batch_size:
            yield batch(members, bucket_of[i])
            del filling[bucket_of[i]]
    for bucket, members in filling.items():
        yield batch(members, bucket)


def make_dataset(sequences, batch_size=64, shuffle=True, seed=0, bucket_width=16):
    """:func:`bucket_batches` as a tf.data pipeline (Keras on TensorFlow), shuffled afresh each epoch
    from ``seed``, and prefetched."""
    import tensorflow as tf

    if not sequences:
        raise ChargenError("no sequences to make a dataset from")
    rng = np.random.default_rng(seed) if shuffle else None  # one stream: each epoch draws the next order
    spec = tf.TensorSpec((None, None), tf.int32)
    ds = tf.data.Dataset.from_generator(lambda: bucket_batches(sequences, batch_size, rng, bucket_width),
                                        output_signature=(spec, spec))
    return ds.prefetch(tf.data.AUTOTUNE)
