"""Bits on held-out titles, the lesson's convention: the first character of a
title is given; every later character and the end of the title are predicted.

Character models: bits of every prediction after the first character.
Word models, on the same scale (open vocabulary): the first word is charged given
its first character, ``p(w1) / sum of p(w) over words w starting with that
character`` (for an out-of-vocabulary first word, <unk>'s mass joins the sum); an
out-of-vocabulary word costs its <unk> probability plus the bits to spell it with
the vocabulary's character unigram model (the first word's given character is
not spelled). A case-folded model also pays the bits to restore each title's case
with its vocabulary's case model, the first word's first letter included. The
difference left: a word model is told the first character and nothing of the rest
of the first word, as a character model is, but it predicts the rest of that word
in one step.
"""
from __future__ import annotations

import collections
import math

import numpy as np

from .data import to_sequences


def target_bits(fast, sequences, batch_size=512) -> list[np.ndarray]:
    """For each ``[bos, t1, ..., tn, eos]`` sequence, the bits of predicting t1, ..., tn, eos.

    Uses the NumPy step (equal to the Keras model to 1e-5), batched over sequences
    of similar length.
    """
    results = [None] * len(sequences)
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    for begin in range(0, len(order), batch_size):
        members = order[begin : begin + batch_size]
        width = max(len(sequences[i]) for i in members)
        ids = np.zeros((len(members), width), dtype=np.int64)
        for r, i in enumerate(members):
            ids[r, : len(sequences[i])] = sequences[i]
        state = fast.initial_state(len(members))
        rows = np.arange(len(members))
        bits = np.zeros((len(members), width - 1))
        for t in range(width - 1):
            probs, state = fast.step(ids[:, t], state)
            bits[:, t] = -np.log2(np.maximum(probs[rows, ids[:, t + 1]], 1e-300))
        for r, i in enumerate(members):
            results[i] = bits[r, : len(sequences[i]) - 1]
    return results


def first_given_bits(fast, sequences) -> tuple[float, int]:
    """Total bits and number of predictions, the first token given (validation's measure)."""
    bits = target_bits(fast, sequences)
    return float(sum(b[1:].sum() for b in bits)), sum(len(b) - 1 for b in bits)


def evaluate_texts(gen, texts) -> dict:
    """``bpc``, ``bits_per_title`` (of which ``case_bits_per_title``) and ``predictions_per_title``
    of a Generator on texts."""
    vocab = gen.vocab
    texts = [t for t in texts if vocab.tokenize(vocab.normalize(t))]
    sequences = to_sequences(vocab, texts)
    bits = target_bits(gen.fast, sequences)
    titles = [vocab.tokenize(vocab.normalize(t)) for t in texts]
    if vocab.level == "char":
        per_title = [b[1:].sum() for b in bits]
        predictions = sum(len(b) - 1 for b in bits)
    else:
        per_title = _open_vocabulary_bits(gen, titles, bits)
        predictions = sum(len(b) for b in bits)
    case = [vocab.case_bits(text) for text in texts]  # 0 unless case-folded
    per_title = [title_bits + case_bits for title_bits, case_bits in zip(per_title, case)]
    characters = sum(len(vocab.join(tokens)) for tokens in titles)  # what a character model predicts
    total, n = float(sum(per_title)), len(per_title)
    return {
        "titles": n,
        "bits_per_title": round(total / n, 3),
        "case_bits_per_title": round(sum(case) / n, 3),
        "bpc": round(total / characters, 4),
        "predictions_per_title": round(predictions / n, 2),
        "bits_per_token": round(total / predictions, 4),
    }


def _open_vocabulary_bits(gen, titles, bits) -> list[float]:
    """Per-title bits of a word model on the character models' scale (see the module doc)."""
    vocab = gen.vocab
    first, _ = gen.fast.step(np.array([vocab.bos]), gen.fast.initial_state(1))
    first = first[0]
    mass = collections.defaultdict(float)  # p(first word starts with c)
    for i, token in enumerate(vocab.tokens[len(vocab.reserved_ids):], start=len(vocab.reserved_ids)):
        mass[token[0]] += first[i]
    per_title = []
    for tokens, b in zip(titles, bits):
        total = float(b.sum())
        for position, token in enumerate(tokens):
            known = token in vocab.index and vocab.index[token] not in vocab.reserved_ids
            if position == 0:
                given = mass[token[0]] + (0.0 if known else first[vocab.unk])
                total += math.log2(given)  # p(w1 | its first character) = p(w1) / p(first character)
            if not known:
                total += vocab.spelling_bits(token[1:] if position == 0 else token)
        per_title.append(total)
    return per_title
