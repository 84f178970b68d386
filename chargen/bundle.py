"""A trained model on disk: a directory with ``model.keras`` (Keras weights and
architecture, loaded with ``safe_mode=True``: nothing is unpickled), ``vocab.json``
and ``card.json`` (architecture, data, epochs, training time, measured figures)."""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

from .errors import ChargenError, read_json_object
from .vocab import load_vocab

FORMAT_VERSION = 1
MODEL_FILE, VOCAB_FILE, CARD_FILE = "model.keras", "vocab.json", "card.json"
WORDS_FILE = "words.txt"  # optional: the training text's words, one a line (the real-word statistic)
REQUIRED_CARD_FIELDS = ("format_version", "level", "architecture")
WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
DEFAULT_NAME = "default"


def shipped_names() -> list[str]:
    """The bundles in ``weights/``, the default first."""
    names = sorted(p.parent.name for p in WEIGHTS_DIR.glob(f"*/{CARD_FILE}"))
    return sorted(names, key=lambda n: n != DEFAULT_NAME)


def resolve(name_or_path=None) -> Path:
    """A bundle directory from a shipped name (relative to the package) or a path."""
    if name_or_path is None:
        name_or_path = DEFAULT_NAME
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


def write_card(directory, card: dict) -> None:
    atomic_write(Path(directory) / CARD_FILE,
                 lambda tmp: Path(tmp).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n"))


HALF_LAYERS = ("embedding", "output")  # the vocabulary-sized layers: most of a word model's weights


def _with_dtype(model, dtype: str, layers=HALF_LAYERS):
    """An uncompiled copy of ``model`` whose ``layers`` hold (and compute in) ``dtype`` and the others
    float32 (a model trained under mixed_bfloat16 ships and decodes in float32)."""
    import keras

    def clone(layer):
        config = layer.get_config()
        config["dtype"] = dtype if layer.name in layers else "float32"
        return layer.__class__.from_config(config)

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights([w.astype(v.dtype) for w, v in zip(model.get_weights(), copy.weights)])
    return copy


def save_bundle(directory, model, vocab, card: dict, float16: bool = False) -> None:
    """Save model (weights and architecture, no optimizer state), vocabulary and card,
    each file replaced atomically. ``float16`` stores the embedding and output layers at half
    size (a word model's vocabulary-sized layers); loading brings them back to float32."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    card = {**card, "format_version": FORMAT_VERSION, "level": vocab.level}
    if float16:
        card["stored_float16"] = list(HALF_LAYERS)
    else:
        card.pop("stored_float16", None)
    # A copy, uncompiled: the optimizer's state stays behind.
    inference_model = _with_dtype(model, "float16" if float16 else "float32", HALF_LAYERS if float16 else ())
    atomic_write(directory / MODEL_FILE, inference_model.save)
    atomic_write(directory / VOCAB_FILE, vocab.save)
    write_card(directory, card)


def read_card(directory) -> dict:
    path = Path(directory) / CARD_FILE
    card = read_json_object(path, "card")
    missing = [f for f in REQUIRED_CARD_FIELDS if f not in card]
    if missing:
        raise ChargenError(f"{path}: card lacks required field(s): {', '.join(missing)}")
    if not isinstance(card["format_version"], int) or card["format_version"] > FORMAT_VERSION:
        raise ChargenError(
            f"{path}: bundle format version {card['format_version']!r} is newer than this chargen "
            f"understands ({FORMAT_VERSION}); upgrade chargen"
        )
    return card


def load_keras_model(path: Path, compile: bool = False):
    import keras

    from . import model as _registers_custom_layers  # noqa: F401

    if not path.is_file():
        raise ChargenError(f"{path}: weights file not found")
    try:
        return keras.saving.load_model(path, compile=compile, safe_mode=True)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, TypeError, EOFError) as e:
        raise ChargenError(f"{path}: weights file is corrupt or not a Keras model ({type(e).__name__}: {e})") from None


def load(name_or_path=None):
    """Load a bundle (a path, a shipped name, or the shipped default) as a Generator."""
    from .decode import Generator

    directory = resolve(name_or_path)
    card = read_card(directory)
    vocab = load_vocab(directory / VOCAB_FILE)
    if vocab.level != card["level"]:
        raise ChargenError(f"{directory}: card says level {card['level']!r}, vocabulary says {vocab.level!r}")
    model = load_keras_model(directory / MODEL_FILE)
    if any(w.dtype == "float16" for w in model.weights):  # stored at half size: compute in float32 as trained
        model = _with_dtype(model, "float32")
    out_size = model.output_shape[-1]
    if out_size != len(vocab):
        raise ChargenError(
            f"{directory}: the model predicts {out_size} tokens but the vocabulary has {len(vocab)}: "
            "vocab.json does not belong to this model"
        )
    words_path = directory / WORDS_FILE
    known_words = frozenset(words_path.read_text(encoding="utf-8").split()) if words_path.is_file() else frozenset()
    try:
        return Generator(model, vocab, card, name=card.get("name", directory.name), known_words=known_words)
    except (KeyError, ValueError, IndexError) as e:
        raise ChargenError(f"{directory}: card architecture does not match the model ({e})") from None
