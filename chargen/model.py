"""The Keras model: integer ids ``(batch, time)`` in, next-token probabilities
``(batch, time, vocab)`` out. One builder, configured by a plain dict (stored in
the bundle's card) or a named preset."""
from __future__ import annotations

import keras

from .card import MAX_LAYERS, MAX_WIDTH
from .errors import ChargenError

PRESETS = {
    # Exactly the lesson's capacity: one LSTM of 128 units over one-hot characters.
    "lesson": dict(cell="lstm", layers=1, units=128, embedding=0, dropout=0.0, recurrent_dropout=0.0),
    # The shipped default's architecture (chosen by validation bits, see weights/README.md).
    "default": dict(cell="lstm", layers=2, units=384, embedding=64, dropout=0.25, recurrent_dropout=0.0),
    # A small, quick model for trying things out.
    "small": dict(cell="gru", layers=1, units=64, embedding=32, dropout=0.0, recurrent_dropout=0.0),
}
CELLS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}


@keras.saving.register_keras_serializable(package="chargen")
class OneHot(keras.layers.Layer):
    """Integer ids -> one-hot vectors (what the lesson fed its LSTM)."""

    def __init__(self, depth: int, **kwargs):
        super().__init__(**kwargs)
        self.depth = depth

    def call(self, ids):
        return keras.ops.one_hot(ids, self.depth)

    def get_config(self):
        return {**super().get_config(), "depth": self.depth}


def architecture(preset: str | None = None, **overrides) -> dict:
    """A full architecture dict: a preset's settings with ``overrides`` applied."""
    if preset is not None and preset not in PRESETS:
        raise ChargenError(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
    arch = dict(PRESETS[preset or "lesson"])
    arch.update({k: v for k, v in overrides.items() if v is not None})
    if arch["cell"] not in CELLS:
        raise ChargenError(f"unknown cell {arch['cell']!r}; choose from {', '.join(CELLS)}")
    for name, low, high in (("layers", 1, MAX_LAYERS), ("units", 1, MAX_WIDTH), ("embedding", 0, MAX_WIDTH)):
        value = arch[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ChargenError(f"{name} must be a whole number from {low} to {high:,}, not {value!r}")
    for name in ("dropout", "recurrent_dropout"):
        if not 0 <= float(arch[name]) < 1:
            raise ChargenError(f"{name} must be in [0, 1), not {arch[name]}")
    return arch


def build_model(vocab_size: int, cell="lstm", layers=1, units=128, embedding=0, dropout=0.0, recurrent_dropout=0.0,
                dtype="float32") -> keras.Model:
    """The model for ``architecture(...)``; ``embedding=0`` means one-hot input.

    ``dtype`` is a Keras dtype policy for every layer but the output, which stays float32 so the
    softmax and the loss keep their precision under ``"mixed_bfloat16"``.
    """
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    if embedding:
        x = keras.layers.Embedding(vocab_size, embedding, name="embedding", dtype=dtype)(ids)
    else:
        x = OneHot(vocab_size, name="one_hot", dtype=dtype)(ids)
    for i in range(layers):
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout_{i}", dtype=dtype)(x)
        x = CELLS[cell](units, return_sequences=True, recurrent_dropout=recurrent_dropout, name=f"rnn_{i}", dtype=dtype)(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name=f"dropout_{layers}", dtype=dtype)(x)
    probs = keras.layers.Dense(vocab_size, activation="softmax", name="output", dtype="float32")(x)
    return keras.Model(ids, probs, name=f"{cell}{layers}x{units}")
