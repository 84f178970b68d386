"""Statistics of generated text, so rows of a comparison can be judged at a glance."""
from __future__ import annotations

import re

import numpy as np

from . import sampling

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


def words(text: str) -> list[str]:
    """The alphabetic words of ``text`` (the unit of the real-word share)."""
    return _WORD.findall(text)


def real_word_share(text: str, known_words) -> float | None:
    """Share of the words of ``text`` found (case-insensitively) in ``known_words``; None if no words."""
    found = words(text)
    if not found:
        return None
    return sum(w.lower() in known_words for w in found) / len(found)


def repeated_ngram_rate(text: str, n: int = 4) -> float:
    """Share of the character n-grams of ``text`` that repeat an earlier one (0 = no repetition)."""
    grams = [text[i : i + n] for i in range(len(text) - n + 1)]
    if not grams:
        return 0.0
    return 1.0 - len(set(grams)) / len(grams)


def summary(out, known_words=frozenset()) -> dict:
    """Per-row figures for a comparison: entropy per step, log-likelihood, real words, repetition."""
    steps = out.steps
    return {
        "label": out.decoding,  # the row's decoding ("T=0.8"); out.label says the rest
        "steps": len(steps),
        "mean_entropy_bits": float(np.mean([s.entropy for s in steps])) if steps else 0.0,
        "log_likelihood_bits": out.log_likelihood,
        "bits_per_step": -out.log_likelihood / len(steps) if steps else 0.0,
        "real_word_share": real_word_share(out.text, known_words),
        "repeated_ngram_rate": repeated_ngram_rate(out.text),
    }


def temperature_sweep(p1: np.ndarray, temperatures) -> list[tuple[float, np.ndarray, float]]:
    """``(T, p_T, entropy bits)`` for each temperature: how one distribution flattens or sharpens."""
    return [(float(t), p := sampling.apply_temperature(p1, t), float(sampling.entropy_bits(p))) for t in temperatures]
