"""The lesson's way, reproduced for comparison only (Microsoft "AI for Beginners",
generative RNN notebook, TensorFlow). chargen itself never uses this module.

- data: titles only, batches of 8, each batch pre-padded to its longest title and
  one-hot encoded in Python through ``tf.py_function``; the target is the title
  shifted by one with <eos> appended (the first character is given);
- model: ``Masking`` + ``LSTM(128)`` + ``Dense(softmax)`` over one-hot vectors,
  ``categorical_crossentropy`` with RMSprop;
- generation: the whole prefix is run through the model again at every step, so
  step n costs O(n) and a text of n characters O(n^2).

One quirk is kept on purpose: ``Masking`` masks all-zero vectors, but the one-hot
vector of the padding id 0 is not all zero, so nothing is masked. The padded steps
come before the title (pre-padding) and are trained to predict padding, and the
last one the title's first character.
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from . import sampling
from .data import to_sequences
from .errors import ChargenError
from .evaluate import target_bits
from .fast import FastModel
from .model import PRESETS

LESSON_BATCH_SIZE = 8
LESSON_EPOCHS = (1, 3)  # fit once, look at samples, fit three more times
ARCHITECTURE = PRESETS["lesson"]  # one LSTM of 128 units over one-hot characters


def lesson_dataset(vocab, titles, batch_size=LESSON_BATCH_SIZE) -> tf.data.Dataset:
    """The lesson's pipeline: ``(one-hot title, one-hot title shifted by one + <eos>)``
    batches, padded and encoded in Python (``title_batch`` in the notebook). Titles
    are taken in the order given, unshuffled, as the lesson did."""
    size = len(vocab)

    def title_batch(texts):
        ids = keras.utils.pad_sequences([vocab.encode(t.decode("utf-8")) for t in texts.numpy()])  # pre-padding
        targets = np.concatenate([ids[:, 1:], np.full((len(ids), 1), vocab.eos)], axis=1)
        return tf.one_hot(ids, size), tf.one_hot(targets, size)

    def title_batch_fn(texts):
        x, y = tf.py_function(title_batch, inp=[texts], Tout=(tf.float32, tf.float32))
        shape = (None, None, size)  # Keras 3 needs the rank that py_function cannot know
        return tf.ensure_shape(x, shape), tf.ensure_shape(y, shape)

    return tf.data.Dataset.from_tensor_slices(list(titles)).batch(batch_size).map(title_batch_fn)


def lesson_model(vocab_size: int) -> keras.Model:
    """The lesson's model, compiled as the lesson did (RMSprop is Keras' default
    optimizer). Layers are named as chargen's so its NumPy step reads the weights,
    and the weights are those of chargen's "lesson" preset, in the same order."""
    model = keras.Sequential([
        keras.Input(shape=(None, vocab_size)),
        keras.layers.Masking(),
        keras.layers.LSTM(ARCHITECTURE["units"], return_sequences=True, name="rnn_0"),
        keras.layers.Dense(vocab_size, activation="softmax", name="output"),
    ], name="lesson")
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop")
    return model


def lesson_generate(model, vocab, prompt, length=100, temperature=None, seed=0, stop_at_end=True) -> str:
    """The lesson's ``generate`` (greedy) and ``generate_soft`` (``temperature``):
    every step runs the model on the whole prefix and keeps only the last output.

    ``model`` is a :func:`lesson_model` (fed one-hot vectors) or a chargen model
    (fed ids), so the same loop can be timed on either. Reserved ids are never
    chosen, nor <eos> unless ``stop_at_end``. Returns the continuation only.
    """
    ids = vocab.encode(prompt)
    if not ids:
        raise ChargenError("the lesson's loop needs a prompt of at least one known character")
    one_hot_input = len(model.inputs[0].shape) == 3
    banned = [i for i in vocab.reserved_ids if not (stop_at_end and i == vocab.eos)]
    rng = np.random.default_rng(seed)
    chosen = []
    for _ in range(length):
        inputs = tf.one_hot(ids, len(vocab)) if one_hot_input else tf.constant(ids)
        probs = model(tf.expand_dims(inputs, 0))[0][-1].numpy().astype(np.float64)
        probs[banned] = 0.0
        if temperature is None:
            next_id = int(probs.argmax())
        else:
            next_id = int(rng.choice(len(probs), p=sampling.apply_temperature(probs, temperature)))
        if next_id == vocab.eos:
            break
        chosen.append(next_id)
        ids = ids + [next_id]
    return vocab.decode(chosen)


def lesson_bits(model, vocab, titles) -> dict:
    """Bits per character of a lesson model on ``titles``, chargen's convention:
    the first character is given, every later character and the end are predicted.

    The lesson's model has no <bos>: each sequence starts at the first character,
    and all its predictions count. Uses chargen's NumPy step over the same weights.
    """
    sequences = [seq[1:] for seq in to_sequences(vocab, titles)]  # drop <bos>
    bits = target_bits(FastModel(model, ARCHITECTURE), sequences)  # every token after the first
    total, count, n = float(sum(b.sum() for b in bits)), sum(map(len, bits)), len(sequences)
    return {
        "titles": n,
        "bpc": round(total / count, 4),
        "bits_per_title": round(total / n, 3),
        "predictions_per_title": round(count / n, 2),
    }
