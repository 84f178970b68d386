"""Sampling maths: small pure functions of logits or probabilities (last axis = vocabulary).

The sampling pipeline, in the order Hugging Face's ``generate`` applies it::

    p  ->  p^(1/T), renormalised  ->  keep the top_k  ->  keep the smallest set reaching top_p
       ->  drop what is below min_p x the largest  ->  renormalise

Each step is one function of *scores* (log-probabilities up to a constant, as the model's
logits are), returning scores with ``-inf`` where an id was removed; ``softmax`` turns them
back into the renormalised distribution. In log space ``p^(1/T)`` is ``logits / T``
(``with_temperature``), so ``softmax(with_temperature(logits, T))`` is ``p_T ∝ p^(1/T)``.
Truncation keeps ties at its boundary. Each function is tested alone and composed.

The decoder draws from ``softmax(scores)`` with the Gumbel-max trick, ``argmax(scores + g)``
with standard Gumbel noise ``g``: one array of noise drawn up front per chunk of steps.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .errors import ChargenError, read_number

MAX_DRAWS = 100_000  # Distribution.sample's n, at most


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from logits (float64); -inf logits (removed or masked ids) get probability 0."""
    logits = np.asarray(logits, dtype=np.float64)
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def with_temperature(logits: np.ndarray, temperature) -> np.ndarray:
    """``logits / T``: its softmax is ``p^(1/T)`` renormalised. ``temperature`` is a number (T = 1:
    ``logits`` themselves) or an array broadcasting against ``logits`` (one per row: shape (rows, 1))."""
    if isinstance(temperature, int | float) and temperature == 1:
        return logits
    return logits / temperature


def with_top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Keep the ``k`` most probable ids (and any tied with the k-th); -inf elsewhere."""
    size = scores.shape[-1]
    if k >= size:
        return scores
    kth = np.partition(scores, size - k, axis=-1)[..., size - k, None]
    return np.where(scores < kth, -np.inf, scores)


def with_top_p(scores: np.ndarray, top_p: float) -> np.ndarray:
    """Keep the smallest set of most probable ids whose probability reaches ``top_p`` (nucleus sampling)."""
    probs = softmax(scores)
    order = np.argsort(-probs, axis=-1, kind="stable")
    sorted_probs = np.take_along_axis(probs, order, axis=-1)
    before = np.cumsum(sorted_probs, axis=-1) - sorted_probs  # the mass of the more probable ids
    kept = np.maximum((before < top_p - 1e-9).sum(axis=-1, keepdims=True), 1)  # 1e-9: "reaches" within rounding
    cut = np.take_along_axis(np.take_along_axis(scores, order, axis=-1), kept - 1, axis=-1)  # the least kept score
    return np.where(scores < cut, -np.inf, scores)


def with_min_p(scores: np.ndarray, min_p: float) -> np.ndarray:
    """Drop ids whose probability is below ``min_p`` times the largest one's."""
    if min_p == 0:
        return scores
    floor = scores.max(axis=-1, keepdims=True) + math.log(min_p)  # log(min_p * p_max), up to the same constant
    return np.where(scores < floor, -np.inf, scores)


def truncate(scores: np.ndarray, top_k=None, top_p=None, min_p=None) -> np.ndarray:
    """The truncation samplers in their order (top_k, top_p, min_p); None = off."""
    if top_k is not None:
        scores = with_top_k(scores, top_k)
    if top_p is not None:
        scores = with_top_p(scores, top_p)
    if min_p is not None:
        scores = with_min_p(scores, min_p)
    return scores


def distribution(logits: np.ndarray, temperature, top_k=None, top_p=None, min_p=None) -> np.ndarray:
    """The whole pipeline: the distribution drawn from, at ``temperature`` after truncation."""
    return softmax(truncate(with_temperature(np.asarray(logits, np.float64), temperature), top_k, top_p, min_p))


def check_truncation(top_k=None, top_p=None, min_p=None) -> tuple:
    """``(top_k, top_p, min_p)`` validated once: top_k a whole number >= 1, 0 < top_p <= 1,
    0 <= min_p < 1; None turns each off; numeric text is read (``read_number``)."""
    top_k = read_number(top_k)
    if top_k is not None:
        if (isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral | float)
                or isinstance(top_k, float) and not math.isfinite(top_k) or top_k != int(top_k) or top_k < 1):
            raise ChargenError(f"top_k must be a whole number of 1 or more (or None: off), not {top_k!r}", key="top_k",
                               value=top_k)
        top_k = int(top_k)
    if top_p is not None:
        top_p = _number("top_p", top_p)
        if not 0 < top_p <= 1:
            raise ChargenError(f"top_p must be more than 0 and at most 1 (or None: off), not {top_p!r}", key="top_p",
                               value=top_p)
    if min_p is not None:
        min_p = _number("min_p", min_p)
        if not 0 <= min_p < 1:
            raise ChargenError(f"min_p must be at least 0 and less than 1 (or None: off), not {min_p!r}", key="min_p",
                               value=min_p)
    return top_k, top_p, min_p


def _number(name, value) -> float:
    value = read_number(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ChargenError(f"{name} must be a number (or None: off), not {value!r}", key="number", name=name, value=value)
    return float(value)


def apply_temperature(probs: np.ndarray, temperature) -> np.ndarray:
    """``p_T ∝ p ** (1 / T)`` of probabilities; ``temperature`` is a number, or one per row
    (first axis) of ``probs``. Zero probabilities stay zero at every temperature."""
    temperature = np.asarray(temperature, dtype=np.float64)
    if not np.all(np.isfinite(temperature) & (temperature > 0)):
        raise ValueError(f"temperature must be a positive finite number, not {temperature}")
    probs = np.asarray(probs, dtype=np.float64)
    if temperature.ndim:
        temperature = temperature.reshape(-1, *[1] * (probs.ndim - 1))
    with np.errstate(divide="ignore"):
        return softmax(with_temperature(np.log(probs), temperature))


def entropy_bits(probs: np.ndarray) -> np.ndarray:
    """Shannon entropy in bits along the last axis (0 log 0 = 0)."""
    probs = np.asarray(probs, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(probs > 0, probs * np.log2(probs), 0.0)
    return -terms.sum(axis=-1)


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


def gumbel_choice(scores: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """``argmax(scores + noise)``: a draw from ``softmax(scores)`` when ``noise`` is standard Gumbel."""
    return (scores + noise).argmax(axis=-1)


def most_probable(probs: np.ndarray, k: int) -> np.ndarray:
    """Ids of the ``k`` most probable entries along the last axis, most probable first."""
    k = min(k, probs.shape[-1])
    part = np.argpartition(-probs, k - 1, axis=-1)[..., :k]
    order = np.argsort(-np.take_along_axis(probs, part, axis=-1), axis=-1, kind="stable")
    return np.take_along_axis(part, order, axis=-1)


def rank(probs: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """1-based rank of ``ids`` in their distributions (1 = the most probable)."""
    chosen = np.take_along_axis(probs, np.asarray(ids)[..., None], axis=-1)
    return 1 + (probs > chosen).sum(axis=-1)


def total_variation(counts: np.ndarray, probs: np.ndarray) -> float:
    """Total-variation distance between the frequencies of ``counts`` and ``probs``: half the L1 gap."""
    return 0.5 * float(np.abs(counts / counts.sum() - probs).sum())
