"""Sampling maths: small pure functions of probabilities or logits (last axis = vocabulary).

Each one is tested alone. The decoder samples with the Gumbel-max trick,
``argmax(logits + T * gumbel_noise)``, which draws exactly from
``apply_temperature(softmax(logits), T)`` with one array of noise drawn up front
per chunk of steps instead of several calls per step; ``T = 0`` is greedy.
"""
from __future__ import annotations

import numpy as np


def apply_temperature(probs: np.ndarray, temperature) -> np.ndarray:
    """``p_T ∝ p ** (1 / T)``.

    ``temperature`` is a number, or one per row (first axis) of ``probs``. Dividing by the
    largest probability first keeps tiny T finite (the top entry stays 1); zero
    probabilities stay zero at every temperature (masked ids stay masked).
    """
    temperature = np.asarray(temperature, dtype=np.float64)
    if not np.all(np.isfinite(temperature) & (temperature > 0)):
        raise ValueError(f"temperature must be a positive finite number, not {temperature}")
    probs = np.asarray(probs, dtype=np.float64)
    if temperature.ndim:
        temperature = temperature.reshape(-1, *[1] * (probs.ndim - 1))
    scaled = (probs / probs.max(axis=-1, keepdims=True)) ** (1.0 / temperature)
    return scaled / scaled.sum(axis=-1, keepdims=True)


def entropy_bits(probs: np.ndarray) -> np.ndarray:
    """Shannon entropy in bits along the last axis (0 log 0 = 0)."""
    probs = np.asarray(probs, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(probs > 0, probs * np.log2(probs), 0.0)
    return -terms.sum(axis=-1)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from logits; -inf logits (masked ids) get probability 0."""
    logits = np.asarray(logits, dtype=np.float64)
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def ban_bias(size: int, banned) -> np.ndarray:
    """An additive logit bias: -inf at ``banned`` ids, 0 elsewhere."""
    bias = np.zeros(size)
    bias[list(banned)] = -np.inf
    return bias


def gumbel_noise(rng: np.random.Generator, steps: int, size: int) -> np.ndarray:
    """Standard Gumbel noise for ``steps`` draws over ``size`` ids.

    Drawn row by row from ``rng``'s stream, so the first n rows are the same
    whatever ``steps`` is: a longer generation extends a shorter one. ``-log E`` of a
    standard exponential ``E`` is standard Gumbel, and half the cost of ``rng.gumbel``.
    """
    return -np.log(rng.standard_exponential(size=(steps, size)))


def gumbel_choice(logits: np.ndarray, scaled_noise: np.ndarray) -> np.ndarray:
    """``argmax(logits + T * noise)``: a draw from ``softmax(logits / T)`` (greedy when T = 0)."""
    return (logits + scaled_noise).argmax(axis=-1)


def top_k(probs: np.ndarray, k: int) -> np.ndarray:
    """Ids of the ``k`` most probable entries along the last axis, most probable first."""
    k = min(k, probs.shape[-1])
    part = np.argpartition(-probs, k - 1, axis=-1)[..., :k]
    order = np.argsort(-np.take_along_axis(probs, part, axis=-1), axis=-1, kind="stable")
    return np.take_along_axis(part, order, axis=-1)


def rank(probs: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """1-based rank of ``ids`` in their distributions (1 = the most probable)."""
    chosen = np.take_along_axis(probs, np.asarray(ids)[..., None], axis=-1)
    return 1 + (probs > chosen).sum(axis=-1)
