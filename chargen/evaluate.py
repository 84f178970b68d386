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
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import sampling
from .data import to_sequences
from .decode import MAX_PROMPT_CHARS, Alternative, check_whole
from .errors import ChargenError


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


def title_bits(gen, texts, bits=None) -> tuple[list[float], list[float], list[int], int]:
    """Per text with a token (others are left out): its bits on the characters' scale, case bits
    included; of which case bits; its characters; and the number of predictions the model made.
    ``bits``: each text's ``target_bits`` when the caller has them already."""
    vocab = gen.vocab
    texts = [t for t in texts if vocab.tokenize(vocab.normalize(t))]
    bits = target_bits(gen.fast, to_sequences(vocab, texts)) if bits is None else bits
    titles = [vocab.tokenize(vocab.normalize(t)) for t in texts]
    if vocab.level == "char":
        per_title = [b[1:].sum() for b in bits]
        predictions = sum(len(b) - 1 for b in bits)
    else:
        per_title = _open_vocabulary_bits(gen, titles, bits)
        predictions = sum(len(b) for b in bits)
    case = [vocab.case_bits(text) for text in texts]  # 0 unless case-folded
    per_title = [float(title + case_bits) for title, case_bits in zip(per_title, case)]
    characters = [len(vocab.join(tokens)) for tokens in titles]  # what a character model predicts
    return per_title, case, characters, predictions


def evaluate_texts(gen, texts) -> dict:
    """``bpc``, ``bits_per_title`` (of which ``case_bits_per_title``) and ``predictions_per_title``
    of a Generator on texts."""
    per_title, case, characters, predictions = title_bits(gen, texts)
    total, n = float(sum(per_title)), len(per_title)
    return {
        "titles": n,
        "bits_per_title": round(total / n, 3),
        "case_bits_per_title": round(sum(case) / n, 3),
        "bpc": round(total / sum(characters), 4),
        "predictions_per_title": round(predictions / n, 2),
        "bits_per_token": round(total / predictions, 4),
    }


class ScoredToken(NamedTuple):
    """One token of a scored text, as the model saw it coming (at T = 1)."""

    token: str  # "<unk>" for a word the vocabulary lacks; "<eos>" for the end of the title
    id: int
    prob: float  # its probability at T = 1, given every token before it
    rank: int  # 1 = the model's first choice
    bits: float  # -log2 prob
    top: list  # [Alternative(token, id, p_t1, p, removed)]: what the model preferred (p = p_t1 here)


@dataclass
class Score:
    """``gen.score(text)``: every token's probability, rank and bits, and the text's total."""

    text: str
    tokens: list[ScoredToken]  # every token of the text, then the end of the title
    bits: float  # total bits, as ``evaluate`` counts a title (first character given; unknown words spelled)
    characters: int  # the characters a character model predicts for it
    unknown: list[str]  # characters or words the vocabulary lacks (dropped, or read as <unk>)

    @property
    def bits_per_char(self) -> float:
        return self.bits / self.characters


def score(gen, text, alternatives=5, max_chars=MAX_PROMPT_CHARS) -> Score:
    """GLTR's view of ``text``: for each token the model's probability, rank, bits and top
    alternatives; the total on ``evaluate``'s scale. Unknown tokens are reported, not fatal."""
    alternatives = check_whole("alternatives", alternatives, 0, len(gen.vocab))
    if not isinstance(text, str):
        raise ChargenError(f"text must be text, not {type(text).__name__}", key="text", name="text",
                           type=type(text).__name__)
    if len(text) > max_chars:
        raise ChargenError(f"text is {len(text):,} characters; the limit is {max_chars:,}", key="text_long",
                           n=len(text), limit=max_chars)
    vocab = gen.vocab
    ids, unknown = vocab.encode_prompt(text)
    if not ids:
        raise ChargenError(f"nothing to score: the model knows none of the {'characters' if vocab.level == 'char' else 'words'} "
                           f"of {text!r}", key="text_unknown", level=vocab.level)
    sequence = [vocab.bos, *ids, vocab.eos]
    state, tokens = gen.fast.initial_state(1), []
    for previous, target in zip(sequence, sequence[1:]):
        probs, state = gen.fast.step(np.array([previous]), state)  # the model's own distribution, as evaluate's
        p = probs[0]
        top = sampling.most_probable(p, alternatives).tolist() if alternatives else []
        tokens.append(ScoredToken(vocab.tokens[target], target, float(p[target]), int(sampling.rank(p, np.array(target))),
                                  float(-np.log2(max(p[target], 1e-300))),
                                  [Alternative(vocab.tokens[i], i, float(p[i]), float(p[i]), False) for i in top]))
    (bits,), _, (characters,), _ = title_bits(gen, [text], [np.array([t.bits for t in tokens])])
    return Score(text, tokens, bits, characters, unknown)


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
