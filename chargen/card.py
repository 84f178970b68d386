"""The model card: what a bundle's ``card.json`` holds, defined once.

Typed fields (dataclasses), one writer (:func:`write_card`) and one reader (:func:`read_card`)
used by training, evaluation, ``weights/build.py``, the page and the bench. Every measured
figure is named by its unit: ``validation.bits_per_token`` (a token is a character or a word,
``validation.level`` says which), ``test.bits_per_char``, ``test.bits_per_title``.

Reading checks every field's type and range and names the file and field of the first one
that is wrong (``card.json: field architecture.units: ...``); :func:`check_model` then checks
the architecture against the Keras model it describes. Cards of format 1 (``val_bpc``,
``test_bpc``, ``test.bpc``) are read into the same fields.
"""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ChargenError, read_json_object
from .vocab import LEVELS, MAX_COUNT, NORMALIZATIONS  # MAX_COUNT: counts and seeds exact in JSON

FORMAT_VERSION = 2
CELLS = ("lstm", "gru")  # chargen.model.CELLS' names (the model module imports Keras; reading a card does not)
HALF_LAYERS = ("embedding", "output")  # the vocabulary-sized layers: most of a word model's weights
MAX_LAYERS, MAX_WIDTH = 32, 8192  # far beyond what the page can run; keeps a corrupt card from allocating


class _Bad(Exception):
    """A field's value is wrong: args (what was wrong,), or (dotted field name, what was wrong) once named."""


# -- field readers: each checks one JSON value and returns it as the dataclass holds it ----------

def _integer(low: int, high: int):
    def read(value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Bad(f"must be a whole number, not {_shown(value)}")
        if not low <= value <= high:
            raise _Bad(f"must be between {low:,} and {high:,}, not {value:,}" if abs(value) < 10**18 else
                       f"must be between {low:,} and {high:,}, not a number of {len(str(abs(value)))} digits")
        return value
    return read


def _number(low: float, high: float = math.inf, low_open: bool = False):
    def read(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Bad(f"must be a number, not {_shown(value)}")
        value = float(value) if abs(value) < 1e300 else math.inf  # a 400-digit integer overflows float()
        if not math.isfinite(value) or value < low or (low_open and value == low) or value > high:
            raise _Bad(f"must be a finite number {'above' if low_open else 'from'} {low:g}"
                       f"{'' if high == math.inf else f' up to {high:g}'}, not {value!r}")
        return value
    return read


def _text(choices=None):
    def read(value):
        if not isinstance(value, str) or not value:
            raise _Bad(f"must be non-empty text, not {_shown(value)}")
        if choices is not None and value not in choices:
            raise _Bad(f"must be one of {', '.join(choices)}, not {value!r}")
        return value
    return read


def _texts(choices=None):
    one = _text(choices)

    def read(value):
        if not isinstance(value, list):
            raise _Bad(f"must be a list of text, not {_shown(value)}")
        return tuple(one(v) for v in value)
    return read


def _section(cls):
    return lambda value: _from_dict(cls, value)


def _optional(read):
    return lambda value: None if value is None else read(value)


def _shown(value) -> str:
    text = json.dumps(value) if isinstance(value, (str, list, dict)) else repr(value)
    return f"{type(value).__name__} {text[:40]}{'...' if len(text) > 40 else ''}"


def _field(read, default=dataclasses.MISSING):
    """A dataclass field with the reader that checks its JSON value; no default = required."""
    return field(default=default, metadata={"read": read})


def _from_dict(cls, data):
    """An instance of dataclass ``cls`` from a JSON object, every field checked."""
    if not isinstance(data, dict):
        raise _Bad(f"must be an object, not {_shown(data)}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise _Bad(f"unknown field(s) {', '.join(map(repr, unknown))}")
    values = {}
    for name, f in fields.items():
        if name not in data:
            if f.default is dataclasses.MISSING:
                raise _Bad(f"required field {name!r} is missing")
            continue
        try:
            values[name] = f.metadata["read"](data[name])
        except _Bad as e:
            raise _Bad(*_within(name, e)) from None
    return cls(**values)


def _within(name, error: _Bad) -> tuple[str, str]:
    """Prefix the field name of an error raised inside field ``name``."""
    if len(error.args) == 2:
        return f"{name}.{error.args[0]}", error.args[1]
    return name, error.args[0]


class _Section:
    """JSON both ways: ``to_dict`` leaves out fields that are unset (None or empty)."""

    @classmethod
    def from_dict(cls, data: dict):
        try:
            return _from_dict(cls, data)
        except _Bad as e:
            where, problem = e.args if len(e.args) == 2 else (None, e.args[0])
            raise ChargenError(f"{'field ' + where + ': ' if where else ''}{problem}") from None

    def to_dict(self) -> dict:
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None or value == ():
                continue
            out[f.name] = value.to_dict() if isinstance(value, _Section) else list(value) if isinstance(value, tuple) else value
        return out


# -- the card ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Architecture(_Section):
    """What ``chargen.model.build_model`` builds; checked against the weights on loading."""
    cell: str = _field(_text(CELLS))                            # "lstm" or "gru"
    layers: int = _field(_integer(1, MAX_LAYERS))               # recurrent layers, rnn_0 ... rnn_{layers-1}
    units: int = _field(_integer(1, MAX_WIDTH))                 # width of each recurrent layer
    embedding: int = _field(_integer(0, MAX_WIDTH))             # embedding width; 0 = one-hot input
    dropout: float = _field(_number(0.0, 0.99), 0.0)            # training only: before each layer and the output
    recurrent_dropout: float = _field(_number(0.0, 0.99), 0.0)  # training only: on the state inside each cell


@dataclass(frozen=True)
class Data(_Section):
    """What the model was trained on (``chargen.data.card_split`` splits it again)."""
    source: str = _field(_text())                               # the CSV, text file or tfds name
    fields: tuple[str, ...] = _field(_texts(), ())             # what one training example is
    extra: tuple[str, ...] = _field(_texts(), ())               # extra text after <bot> (descriptions)
    train_rows: int | None = _field(_optional(_integer(0, MAX_COUNT)), None)
    validation_rows: int | None = _field(_optional(_integer(0, MAX_COUNT)), None)
    validation_split_seed: int | None = _field(_optional(_integer(0, MAX_COUNT)), None)
    normalization: str | None = _field(_optional(_text(tuple(NORMALIZATIONS))), None)  # checked against the vocabulary's


@dataclass(frozen=True)
class Training(_Section):
    """The settings of the run (of its last part, after a --resume with another rate)."""
    batch_size: int = _field(_integer(1, 2**20))
    lr: float = _field(_number(0.0, 10.0, low_open=True))       # learning rate at the start
    optimizer: str = _field(_text())
    seed: int = _field(_integer(0, MAX_COUNT))
    max_len: int | None = _field(_optional(_integer(1, MAX_COUNT)), None)  # tokens kept per example
    precision: str | None = _field(_optional(_text(("float32", "mixed_bfloat16"))), None)  # compute dtype policy
    ema: float | None = _field(_optional(_number(0.0, 0.999999, low_open=True)), None)  # weights' moving-average momentum
    strategy: str | None = _field(_optional(_text(("none", "mirrored"))), None)  # tf.distribute strategy
    replicas: int | None = _field(_optional(_integer(1, 2**16)), None)  # devices the batch was split across


@dataclass(frozen=True)
class Validation(_Section):
    """Bits per token on the run's validation titles, the first token given (training's measure).
    A token is a character or a word: ``level`` says which, so 8.4 bits per word is never read
    as bits per character."""
    level: str = _field(_text(tuple(LEVELS)))
    bits_per_token: float = _field(_number(0.0))


@dataclass(frozen=True)
class Evaluation(_Section):
    """Bits on held-out test titles (``python -m chargen evaluate --write``), the lesson's convention:
    the first character given. ``bits_per_char`` and ``bits_per_title`` compare a word model with a
    character model; ``bits_per_token`` is per prediction (a character or a word)."""
    bits_per_char: float = _field(_number(0.0))
    bits_per_title: float | None = _field(_optional(_number(0.0)), None)
    case_bits_per_title: float | None = _field(_optional(_number(0.0)), None)  # of which: restoring case
    bits_per_token: float | None = _field(_optional(_number(0.0)), None)
    predictions_per_title: float | None = _field(_optional(_number(0.0)), None)
    titles: int | None = _field(_optional(_integer(0, MAX_COUNT)), None)
    data: str | None = _field(_optional(_text()), None)         # the test file

    @classmethod
    def of(cls, result: dict, data: str) -> "Evaluation":
        """From ``chargen.evaluate.evaluate_texts``'s result on the titles of ``data``."""
        return cls(bits_per_char=result["bpc"], bits_per_title=result["bits_per_title"],
                   case_bits_per_title=result["case_bits_per_title"], bits_per_token=result["bits_per_token"],
                   predictions_per_title=result["predictions_per_title"], titles=result["titles"], data=data)


@dataclass(frozen=True)
class Origin(_Section):
    """How the bundle a fine-tune started from was trained (``--init``)."""
    bundle: str = _field(_text())                               # the name or path given to --init
    data: Data | None = _field(_optional(_section(Data)), None)
    training: Training | None = _field(_optional(_section(Training)), None)
    epochs: int | None = _field(_optional(_integer(0, MAX_COUNT)), None)
    best_epoch: int | None = _field(_optional(_integer(0, MAX_COUNT)), None)
    training_seconds: float | None = _field(_optional(_number(0.0)), None)
    validation: Validation | None = _field(_optional(_section(Validation)), None)
    averaged_checkpoints: tuple[str, ...] = _field(_texts(), ())
    initialized_from: Origin | None = _field(_optional(lambda value: _from_dict(Origin, value)), None)

    @classmethod
    def of(cls, card: "Card", bundle: str) -> "Origin":
        """The training history of ``card``, the card of the bundle named ``bundle``."""
        return cls(bundle=bundle, **{f.name: getattr(card, f.name) for f in dataclasses.fields(cls) if f.name != "bundle"})


@dataclass(frozen=True)
class Card(_Section):
    """A bundle's ``card.json``. Only ``level`` and ``architecture`` are required; a figure not
    measured is None (and left out of the file)."""
    level: str = _field(_text(tuple(LEVELS)))                   # "char" or "word": as the vocabulary's
    architecture: Architecture = _field(_section(Architecture))
    parameters: int | None = _field(_optional(_integer(0, MAX_COUNT)), None)  # checked against the weights
    data: Data | None = _field(_optional(_section(Data)), None)
    training: Training | None = _field(_optional(_section(Training)), None)
    epochs: int | None = _field(_optional(_integer(0, MAX_COUNT)), None)       # epochs trained
    best_epoch: int | None = _field(_optional(_integer(0, MAX_COUNT)), None)   # the epoch these weights are from
    training_seconds: float | None = _field(_optional(_number(0.0)), None)
    validation: Validation | None = _field(_optional(_section(Validation)), None)
    test: Evaluation | None = _field(_optional(_section(Evaluation)), None)
    decoding_chars_per_second: int | None = _field(_optional(_integer(0, MAX_COUNT)), None)  # one stream, top-5 trace
    averaged_checkpoints: tuple[str, ...] = _field(_texts(), ())  # shipped weights: the mean of these
    initialized_from: Origin | None = _field(_optional(_section(Origin)), None)
    stored_float16: tuple[str, ...] = _field(_texts(HALF_LAYERS), ())  # layers stored at half size
    float16_bits_change: float | None = _field(_optional(_number(-1.0, 1.0)), None)  # its relative cost in bits/title

    def __post_init__(self):
        if self.validation is not None and self.validation.level != self.level:
            raise ChargenError(f"field validation.level: {self.validation.level!r} is not the card's level {self.level!r}")
        if None not in (self.best_epoch, self.epochs) and self.best_epoch > self.epochs:
            raise ChargenError(f"field best_epoch: {self.best_epoch} is after the last epoch trained, field epochs ({self.epochs})")

    def to_dict(self) -> dict:
        return {"format_version": FORMAT_VERSION, **super().to_dict()}

    @classmethod
    def from_dict(cls, data: dict) -> "Card":
        """A card from its JSON object, of this format or an older one (see :func:`upgrade`)."""
        if not isinstance(data, dict):
            raise ChargenError(f"must be a JSON object, not {_shown(data)}")
        version = data.get("format_version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise ChargenError(f"field format_version: must be a whole number from 1, not {_shown(version)}")
        if version > FORMAT_VERSION:
            raise ChargenError(f"field format_version: bundle format version {version} is newer than this chargen "
                               f"understands ({FORMAT_VERSION}); upgrade chargen")
        data = upgrade(data) if version == 1 else {k: v for k, v in data.items() if k != "format_version"}
        return super().from_dict(data)


def upgrade(old: dict) -> dict:
    """A format-1 card's JSON object in this format's fields: ``val_bpc`` (bits per token) becomes
    ``validation``, ``test.bpc`` and the top-level copies ``test_bpc``/``test_bits_per_title`` become
    ``test.bits_per_char``/``test.bits_per_title``, ``data.level`` (the card's level again) goes."""
    card = {k: v for k, v in old.items() if k not in ("format_version", "test_bpc", "test_bits_per_title", "name")}
    level = old.get("level")
    if "test" not in old and "test_bpc" in old:
        card["test"] = {"bits_per_char": old["test_bpc"], "bits_per_title": old.get("test_bits_per_title")}
    elif isinstance(old.get("test"), dict):
        card["test"] = {("bits_per_char" if k == "bpc" else k): v for k, v in old["test"].items()}
    return _upgrade_history(card, level)


def _upgrade_history(card: dict, level) -> dict:
    """``val_bpc`` and ``data.level`` in a card or in the history of the bundle it started from."""
    card = dict(card)
    if "val_bpc" in card:
        card["validation"] = {"level": level, "bits_per_token": card.pop("val_bpc")}
    if isinstance(card.get("data"), dict):
        card["data"] = {k: v for k, v in card["data"].items() if k != "level"}
    if isinstance(card.get("initialized_from"), dict):
        card["initialized_from"] = _upgrade_history(card["initialized_from"], level)
    return card


# -- the one writer and the one reader ---------------------------------------------------------

def write_card(path, card: Card) -> None:
    """Write ``card`` as JSON to ``path``, replacing the file atomically. The card is checked as
    :func:`read_card` checks it first, so what is written always reads back."""
    from .bundle import atomic_write

    data = card.to_dict()
    try:
        Card.from_dict(data)
    except ChargenError as e:
        raise ChargenError(f"{path}: not writing an invalid card: {e}") from None
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    atomic_write(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def read_card(path) -> Card:
    """The card in the file ``path``, of any format; ChargenError naming the file and field otherwise."""
    data = read_json_object(path, "card")
    try:
        return Card.from_dict(data)
    except ChargenError as e:
        raise ChargenError(f"{path}: {e}") from None


def check_model(card: Card, model, path) -> None:
    """The card's architecture and parameter count against the Keras model they describe
    (layer names, cell types, widths, embedding, dropout); ChargenError at the first difference."""
    arch = card.architecture
    layers = {layer.name: layer for layer in model.layers}
    recurrent = sorted((n for n in layers if n.startswith("rnn_")), key=lambda n: (len(n), n))
    if recurrent != [f"rnn_{i}" for i in range(arch.layers)]:
        raise ChargenError(f"{path}: field architecture.layers: the card says {arch.layers}, "
                           f"the weights have {len(recurrent)} recurrent layer(s)")
    for name in recurrent:
        kind = type(layers[name]).__name__.lower()
        if kind != arch.cell:
            raise ChargenError(f"{path}: field architecture.cell: the card says {arch.cell!r}, the weights' {name} is {kind!r}")
        if layers[name].units != arch.units:
            raise ChargenError(f"{path}: field architecture.units: the card says {arch.units}, "
                               f"the weights' {name} has {layers[name].units}")
    width = getattr(layers.get("embedding"), "output_dim", 0)
    if width != arch.embedding or (width == 0 and "one_hot" not in layers):
        raise ChargenError(f"{path}: field architecture.embedding: the card says {arch.embedding}, "
                           f"the weights have {f'an embedding of {width}' if width else 'no embedding'}")
    rates = {round(layer.rate, 6) for layer in model.layers if type(layer).__name__ == "Dropout"}
    if rates != ({round(arch.dropout, 6)} if arch.dropout else set()):
        raise ChargenError(f"{path}: field architecture.dropout: the card says {arch.dropout}, "
                           f"the weights' dropout layers have {sorted(rates) or 'none'}")
    for name in recurrent:
        if round(layers[name].recurrent_dropout, 6) != round(arch.recurrent_dropout, 6):
            raise ChargenError(f"{path}: field architecture.recurrent_dropout: the card says {arch.recurrent_dropout}, "
                               f"the weights' {name} has {layers[name].recurrent_dropout}")
    if card.parameters is not None and card.parameters != model.count_params():
        raise ChargenError(f"{path}: field parameters: the card says {card.parameters:,}, "
                           f"the weights have {model.count_params():,}")
    half = tuple(n for n in HALF_LAYERS if n in layers and layers[n].weights and layers[n].weights[0].dtype == "float16")
    if set(half) != set(card.stored_float16):
        raise ChargenError(f"{path}: field stored_float16: the card says {list(card.stored_float16)}, "
                           f"the weights store {list(half)} at half size")
