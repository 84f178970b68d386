"""Bits per character on held-out titles, the lesson's convention: the first token
of a title is given; every later token and the end of the title are predicted."""
from __future__ import annotations

import numpy as np

from .data import to_sequences


def sequence_bits(fast, sequences, first_given=True, batch_size=512) -> tuple[float, int]:
    """Total bits and number of predictions for ``[bos, t1, ..., tn, eos]`` sequences.

    Uses the NumPy step (equal to the Keras model to 1e-5), batched over sequences
    of similar length. With ``first_given`` the prediction of ``t1`` is not counted.
    """
    total, count = 0.0, 0
    ordered = sorted(sequences, key=len)
    for begin in range(0, len(ordered), batch_size):
        batch = ordered[begin : begin + batch_size]
        width = max(map(len, batch))
        ids = np.zeros((len(batch), width), dtype=np.int64)
        for r, seq in enumerate(batch):
            ids[r, : len(seq)] = seq
        state = fast.initial_state(len(batch))
        rows = np.arange(len(batch))
        for t in range(width - 1):
            probs, state = fast.step(ids[:, t], state)
            target = ids[:, t + 1]
            counted = target != 0
            if first_given and t == 0:
                continue
            p = probs[rows[counted], target[counted]].astype(np.float64)
            total -= np.log2(np.maximum(p, 1e-300)).sum()
            count += int(counted.sum())
    return float(total), count


def evaluate_texts(gen, texts, first_given=True) -> dict:
    """``bpc``, ``bits_per_title`` and ``predictions_per_title`` of a Generator on texts."""
    sequences = to_sequences(gen.vocab, texts)
    characters = sum(len(gen.vocab.normalize(t)) for t in texts)
    total, count = sequence_bits(gen.fast, sequences, first_given)
    n = len(sequences)
    result = {
        "titles": n,
        "bits_per_title": round(total / n, 3),
        "predictions_per_title": round(count / n, 2),
        "bits_per_token": round(total / count, 4),
    }
    if gen.vocab.level == "char":
        result["bpc"] = result["bits_per_token"]
    else:  # a word model's bits spread over the characters of the titles it reads
        result["bpc"] = round(total / max(characters, 1), 4)
    return result

