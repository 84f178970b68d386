"""A trained model on disk: a directory with ``model.keras`` (Keras weights and
architecture, loaded with ``safe_mode=True``: nothing is unpickled), ``vocab.json``,
``card.json`` (a :class:`chargen.card.Card`) and optionally ``words.txt``.

Loading checks each file's every field, then the card and the vocabulary against the
weights, before anything decodes: a bundle loads whole and consistent or raises a
ChargenError naming the file and the field."""
from __future__ import annotations

import dataclasses
import os
import tempfile
import zipfile
from pathlib import Path

from . import card as cards
from .card import HALF_LAYERS, Card
from .copies import TITLES_FILE, TrainingTitles
from .errors import ChargenError, read_text_file
from .vocab import load_vocab

MODEL_FILE, VOCAB_FILE, CARD_FILE = "model.keras", "vocab.json", "card.json"
WORDS_FILE = "words.txt"  # optional: the training text's words, one a line (the real-word statistic)
WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
DEFAULT_NAME = "default"
PROGRESS_DIR = "progress"  # a bundle's snapshots from its own training (train --snapshots), one bundle an epoch


def shipped_names() -> list[str]:
    """The bundles in ``weights/``, the default first."""
    names = sorted(p.parent.name for p in WEIGHTS_DIR.glob(f"*/{CARD_FILE}"))
    return sorted(names, key=lambda n: n != DEFAULT_NAME)


def resolve(name_or_path=None) -> Path:
    """A bundle directory from a shipped name (relative to the package) or a path."""
    if name_or_path is None:
        name_or_path = DEFAULT_NAME
    if not isinstance(name_or_path, (str, os.PathLike)) or str(name_or_path).strip() == "":
        raise ChargenError(f"a bundle is a directory path or a shipped name ({', '.join(shipped_names())}), "
                           f"not {type(name_or_path).__name__} {str(name_or_path)[:40]!r}")
    shipped = WEIGHTS_DIR / str(name_or_path)
    if "/" not in str(name_or_path) and (shipped / CARD_FILE).exists():
        return shipped
    path = Path(name_or_path)
    if not path.is_dir():
        raise ChargenError(
            f"no model bundle at {str(name_or_path)!r}: give a bundle directory or a shipped name "
            f"({', '.join(shipped_names()) or 'none shipped'})"
        )
    return path


def snapshot_name(name: str, epoch: int) -> str:
    """The name a bundle's training snapshot goes by (the page, the API, the browser edition): ``lesson@8``."""
    return f"{name}@{epoch}"


def progress(name_or_path=None) -> list[tuple[int, Path]]:
    """The snapshots a bundle ships of its own training, ``(epoch, bundle directory)`` earliest first:
    ``progress/epochNNN`` inside it, each a bundle whose card's ``epochs`` says when it was taken."""
    found = (card.parent for card in resolve(name_or_path).glob(f"{PROGRESS_DIR}/*/{CARD_FILE}"))
    return sorted((read_card(directory).epochs or 0, directory) for directory in found)


def atomic_write(path: Path, write) -> None:
    """Write via a temporary file in the same directory, then rename over ``path``.

    A failed write (full disk, read-only directory) leaves the previous file untouched.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes files private; a bundle is meant to be shared
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_words(directory, texts) -> None:
    """The words of the training text (lower-cased), for the real-word share of generated text."""
    from .stats import words

    known = sorted({w.lower() for text in texts for w in words(text)})
    atomic_write(Path(directory) / WORDS_FILE, lambda tmp: Path(tmp).write_text("\n".join(known) + "\n", encoding="utf-8"))


def write_card(directory, card: Card) -> None:
    cards.write_card(Path(directory) / CARD_FILE, card)


def read_card(directory) -> Card:
    return cards.read_card(Path(directory) / CARD_FILE)


def _with_dtype(model, dtype: str, layers=HALF_LAYERS):
    """An uncompiled copy of ``model`` whose ``layers`` hold (and compute in) ``dtype`` and the others
    float32 (a model trained under mixed_bfloat16 ships and decodes in float32)."""
    import keras

    from . import model as _registers_custom_layers  # noqa: F401

    config = model.get_config()
    for layer in config["layers"]:
        layer["config"]["dtype"] = dtype if layer["config"]["name"] in layers else "float32"
    copy = keras.Model.from_config(config)  # from its config, not clone_model: a clone is compiled as the original
    copy.set_weights([w.astype(v.dtype) for w, v in zip(model.get_weights(), copy.weights)])
    return copy


def save_bundle(directory, model, vocab, card: Card, float16: bool = False) -> None:
    """Save model (weights and architecture, no optimizer state), vocabulary and card,
    each file replaced atomically. ``float16`` stores the embedding and output layers at half
    size (a word model's vocabulary-sized layers); loading brings them back to float32."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if card.level != vocab.level:
        raise ChargenError(f"the card says level {card.level!r}, the vocabulary is {vocab.level!r}")
    half = tuple(name for name in HALF_LAYERS if float16 and any(layer.name == name for layer in model.layers))
    card = dataclasses.replace(card, stored_float16=half)  # a one-hot model has no embedding to halve
    # A copy, uncompiled: the optimizer's state stays behind.
    inference_model = _with_dtype(model, "float16" if float16 else "float32", half)
    atomic_write(directory / MODEL_FILE, inference_model.save)
    atomic_write(directory / VOCAB_FILE, vocab.save)
    write_card(directory, card)


def load_keras_model(path: Path, compile: bool = False):
    import keras

    from . import model as _registers_custom_layers  # noqa: F401

    if path.is_dir():
        raise ChargenError(f"{path}: not a weights file (it is a directory)")
    if not path.is_file():
        raise ChargenError(f"{path}: weights file not found")
    if not zipfile.is_zipfile(path):  # cut short or overwritten: Keras itself would say "File not found"
        raise ChargenError(f"{path}: weights file is damaged (not a whole .keras archive: cut short, or not a Keras "
                           "file); copy the bundle again")
    errors = (zipfile.BadZipFile, OSError, ValueError, KeyError, TypeError, EOFError, MemoryError)
    if keras.config.backend() == "tensorflow":
        from tensorflow.errors import OpError  # e.g. out of memory: a config asking for billions of weights

        errors += (OpError,)
    try:
        return keras.saving.load_model(path, compile=compile, safe_mode=True)
    except errors as e:
        raise ChargenError(f"{path}: weights file is corrupt or not a Keras model ({type(e).__name__}: {e})") from None


def load(name_or_path=None):
    """Load a bundle (a path, a shipped name, or the shipped default) as a Generator."""
    import keras

    from .decode import Generator

    directory = resolve(name_or_path)
    card = read_card(directory)
    vocab = load_vocab(directory / VOCAB_FILE)
    if vocab.level != card.level:
        raise ChargenError(f"{directory / CARD_FILE}: field level: the card says {card.level!r}, "
                           f"{VOCAB_FILE} says {vocab.level!r}")
    if card.data is not None and card.data.normalization not in (None, vocab.normalization):
        raise ChargenError(f"{directory / CARD_FILE}: field data.normalization: the card says "
                           f"{card.data.normalization!r}, {VOCAB_FILE} says {vocab.normalization!r}")
    model = load_keras_model(directory / MODEL_FILE)
    last = model.layers[-1] if model.layers else None
    if not isinstance(last, keras.layers.Dense) or last.name != "output":
        raise ChargenError(f"{directory / MODEL_FILE}: not a chargen model (no Dense layer named 'output' last)")
    cards.check_model(card, model, directory / CARD_FILE)
    if card.stored_float16:  # stored at half size: compute in float32 as trained
        model = _with_dtype(model, "float32")
    out_size = model.output_shape[-1]
    if out_size != len(vocab):
        raise ChargenError(
            f"{directory / VOCAB_FILE}: field tokens: the model predicts {out_size} tokens but the vocabulary "
            f"has {len(vocab)}: vocab.json does not belong to this model"
        )
    words_path = directory / WORDS_FILE
    known_words = frozenset(read_text_file(words_path, "words").split()) if words_path.exists() else frozenset()
    titles_path = directory / TITLES_FILE
    titles = TrainingTitles.load(titles_path) if titles_path.exists() else None
    return Generator(model, vocab, card, name=directory.name, known_words=known_words, training_titles=titles)
