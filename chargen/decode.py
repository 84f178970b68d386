"""Stateful decoding with a per-step trace.

The prompt is read once; then each step feeds only the token just chosen and
carries the RNN state, so a step costs the same at character 5 and at 5,000.
Every step is recorded: the chosen token, its probability at T = 1 and in the
distribution drawn from (after temperature and truncation), its rank, both
entropies, and the most probable alternatives.

Randomness: a generation's noise comes from ``random_stream(seed, prompt ids)``, so it
depends on the seed and on the prompt as read, and on nothing else (not the process, not
the settings): the rows of one ``compare`` share it, and a longer generation extends a
shorter one.
"""
from __future__ import annotations

import functools
import itertools
import math
import numbers
from dataclasses import dataclass, field, fields
from typing import NamedTuple

import numpy as np

from . import sampling
from .errors import ChargenError, read_number
from .fast import FastModel

MAX_PROMPT_CHARS = 2_000
MAX_LENGTH = 5_000
MAX_ROWS = 32  # rows of one compare call, unless the caller sets its own cap
MAX_ALTERNATIVES = 10_000
MAX_SEED = 2**63 - 1
TRACE_CHUNK = 256  # steps of full distributions held before they are summarized ...
TRACE_VALUES = 2**20  # ... and at most this many probabilities (rows x steps x vocabulary)
LESSON_PROMPTS = ("Today ", "On Sunday ", "Moscow, ", "President ", "Little red riding hood ")
LESSON_TEMPERATURES = (0.3, 0.8, 1.0, 1.3, 1.8)
OWN = "own"  # Generation.distribution's default: the generation's own setting


@dataclass(frozen=True)
class Limits:
    """What decoding accepts (ranges inclusive). The defaults are the Python API's; a caller such as the
    app passes its own, tighter ones, and every input is still checked once, here."""

    length: tuple[int, int] = (0, MAX_LENGTH)
    alternatives: tuple[int, int] = (0, MAX_ALTERNATIVES)
    temperature: tuple[float, float] | None = None  # None: any positive finite number
    max_seed: int = MAX_SEED
    max_prompt_chars: int = MAX_PROMPT_CHARS
    prompt_needed: bool = False  # refuse a blank prompt, and one the vocabulary knows none of
    max_rows: int = MAX_ROWS  # temperatures in one compare
    max_tokens: int | None = None  # rows x length of one call, refused before decoding; None: no cap

    def __post_init__(self):  # a caller may tighten the Python API's limits, never widen them
        own = {f.name: f.default for f in fields(self)}
        for name in ("length", "alternatives"):
            (low, high), (own_low, own_high) = getattr(self, name), own[name]
            if not own_low <= low <= high <= own_high:
                raise ChargenError(f"limits: {name} must lie within {own_low:,} to {own_high:,}, not {low!r} to {high!r}")
        for name in ("max_seed", "max_prompt_chars", "max_rows"):
            if not 0 <= getattr(self, name) <= own[name]:
                raise ChargenError(f"limits: {name} must be from 0 to {own[name]:,}, not {getattr(self, name)!r}")
        if self.temperature is not None and not 0 < self.temperature[0] <= self.temperature[1] < math.inf:
            raise ChargenError(f"limits: temperature must be positive and finite, low to high, not {self.temperature!r}")


LIMITS = Limits()


def random_stream(seed: int, ids) -> np.random.Generator:
    """The noise of a generation: ``SeedSequence(seed, spawn_key=prompt ids as read)``, the same in
    every process (no ``hash``); a different prompt gives an independent stream."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=tuple(int(i) for i in ids)))


class Alternative(NamedTuple):
    """One of a step's most probable tokens (also a Stepper's proposal)."""

    token: str
    id: int
    p_t1: float  # its probability at T = 1
    p: float  # its probability in the distribution drawn from (after temperature and truncation)
    removed: bool  # truncation (top_k, top_p, min_p) took it out of that distribution


@dataclass(slots=True)
class Step:
    """One generated token. ``token`` is the level-neutral name (``char`` too)."""

    token: str  # the token itself: a character or a word ("<eos>" for the end)
    id: int
    text: str  # what it adds to the generated text (words bring their space)
    prob: float  # probability of the chosen token in the distribution drawn from (temperature, truncation)
    prob_t1: float  # its probability at T = 1
    rank: int  # 1 = the model's most probable token
    entropy: float  # bits, of the distribution drawn from
    entropy_t1: float  # bits, at T = 1
    top: list  # [Alternative(token, id, p_t1, p, removed), ...], the most probable first
    end: bool = False  # the end-of-title token

    @property
    def char(self) -> str:
        """The token, under the name character models' callers know."""
        return self.token

    def as_dict(self) -> dict:
        """The fields as a flat dict for JSON; ``top`` as lists ``[token, id, p_t1, p, removed]``."""
        return {name: getattr(self, name) for name in self.__slots__} | {"top": [list(a) for a in self.top]}


@dataclass
class Draws:
    """``n`` draws from a distribution: ``counts`` per id beside the exact ``p``."""

    n: int
    seed: int
    counts: np.ndarray  # draws per id, over the whole vocabulary
    p: np.ndarray  # the exact probabilities drawn from
    tv: float  # total-variation distance between counts / n and p

    @property
    def frequencies(self) -> np.ndarray:
        return self.counts / self.n


@dataclass
class Distribution:
    """A step's whole next-token distribution: arrays over the vocabulary (id order)."""

    tokens: np.ndarray  # every id's token
    p_t1: np.ndarray  # at T = 1
    p: np.ndarray  # under the settings below (greedy: the distribution at T = 1, whose largest is taken)
    temperature: float | None
    top_k: int | None
    top_p: float | None
    min_p: float | None

    def sample(self, n: int, seed: int = 0) -> Draws:
        """Draw ``n`` tokens (1 to 100,000) from ``p`` with ``numpy.random.default_rng(seed)``."""
        n = check_whole("n", n, 1, sampling.MAX_DRAWS)
        seed = check_seed(seed)
        draws = np.random.default_rng(seed).choice(len(self.p), size=n, p=self.p)
        counts = np.bincount(draws, minlength=len(self.p))
        return Draws(n, seed, counts, self.p, sampling.total_variation(counts, self.p))


@dataclass
class Generation:
    """The result of one decoding, with what produced it. ``text`` is the continuation only."""

    prompt: str
    text: str
    steps: list[Step]
    temperature: float | None  # None under greedy decoding
    greedy: bool
    seed: int
    ended: bool  # stopped at the end-of-title token
    unknown: list[str] = field(default_factory=list)  # prompt tokens the vocabulary lacked
    level: str = "char"
    model: str = "model"  # the bundle's name
    prompt_tokens: list[str] = field(default_factory=list)  # the prompt as the model read it
    top_k: int | None = None
    top_p: float | None = None
    min_p: float | None = None
    stop_at_end: bool = True
    alternatives: int = 5
    generator: "Generator | None" = field(default=None, repr=False, compare=False)
    kept: list = field(default_factory=list, repr=False, compare=False)  # per step: its logits or top layer's h, all rows
    row: int = field(default=0, repr=False, compare=False)  # this generation's row in them

    @property
    def decoding(self) -> str:
        """The short name of the decoding: ``greedy`` or ``T=0.8``."""
        return "greedy" if self.greedy else f"T={self.temperature:g}"

    @property
    def label(self) -> str:
        """One line saying how it was made: ``default · T = 0.8 · top-p 0.9 · seed 1234``."""
        return self.label_for("en")

    def label_for(self, language: str = "en") -> str:
        """``label`` in English (``en``) or Dutch (``nl``: decimal comma, ``gulzig`` for greedy)."""
        if language not in ("en", "nl"):
            raise ChargenError(f"language must be 'en' or 'nl', not {language!r}")

        def number(x):
            return f"{x:g}".replace(".", ",") if language == "nl" else f"{x:g}"

        if self.greedy:
            return f"{self.model} · {'gulzig' if language == 'nl' else 'greedy'}"
        parts = [self.model, f"T = {number(self.temperature)}"]
        parts += [f"{name} {number(value)}" for name, value in
                  (("top-k", self.top_k), ("top-p", self.top_p), ("min-p", self.min_p)) if value is not None]
        return " · ".join([*parts, f"seed {self.seed}"])

    @property
    def log_likelihood(self) -> float:
        """log2 probability (at T = 1) of the generated tokens: the model's own judgement."""
        return float(sum(math.log2(max(s.prob_t1, 1e-300)) for s in self.steps))

    def distribution(self, i: int, temperature=OWN, top_k=OWN, top_p=OWN, min_p=OWN) -> Distribution:
        """Step ``i``'s whole next-token distribution, from the state kept for it (nothing is decoded
        again); each setting defaults to the generation's own (``temperature=None``: greedy)."""
        if not self.steps:
            raise ChargenError("this generation has no steps")
        i = check_whole("step", i, 0, len(self.steps) - 1)
        own = dict(temperature=self.temperature, top_k=self.top_k, top_p=self.top_p, min_p=self.min_p)
        asked = dict(temperature=temperature, top_k=top_k, top_p=top_p, min_p=min_p)
        settings = {name: own[name] if value is OWN else value for name, value in asked.items()}
        logits = self.kept[i][self.row]
        if logits.shape[-1] != len(self.generator.vocab):  # the top layer's h: fast.logits' last layer gives the logits
            logits = logits @ self.generator.fast.out_w + self.generator._out_bias(self.stop_at_end)
        return self.generator.distribution_of(logits, **settings)


def is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def out_of_range(name, value, low, high) -> ChargenError:
    """The error for ``value`` outside ``low`` to ``high``, or not a number at all."""
    shown = f"{value:,}" if is_number(value) else repr(value)
    return ChargenError(f"{name} must be between {low:,} and {high:,}, not {shown}", key="range", name=name, low=low,
                        high=high, value=value)


def check_whole(name, value, low, high) -> int:
    """``value`` as a whole number from ``low`` to ``high`` (5.0, as JSON may send it, is 5; numeric text is read)."""
    value = read_number(value)
    if not is_number(value) or not low <= value <= high:
        raise out_of_range(name, value, low, high)
    if value != int(value):
        raise ChargenError(f"{name} must be a whole number, not {value!r}", key="whole", name=name, low=low, high=high,
                           value=value)
    return int(value)


def check_temperature(temperature, limits: tuple[float, float] | None = None) -> float:
    """T as a float (numeric text is read too): a positive finite number, or one from ``limits``' low to high."""
    t = read_number(temperature)
    t = float(t) if is_number(t) else None
    if limits is not None:
        if t is None or not limits[0] <= t <= limits[1]:
            raise out_of_range("temperature", temperature, *limits)
    elif t is None:
        raise ChargenError(f"temperature must be a number, not {temperature!r}", key="number", name="temperature",
                           value=temperature)
    elif not (math.isfinite(t) and t > 0):
        raise ChargenError(f"temperature must be a positive finite number, not {temperature!r} (use greedy decoding "
                           "for T -> 0)", key="positive", value=temperature)
    return t


def temperature_rows(temperatures, max_rows: int = MAX_ROWS) -> list:
    """A compare's temperatures as a list, values unchecked: a list (or one number, or None), not
    text or a mapping (``"11"`` is not two temperatures of 1), with 1 to ``max_rows`` rows."""
    if isinstance(temperatures, numbers.Real) and not isinstance(temperatures, bool) or temperatures is None:
        temperatures = [temperatures]
    if not isinstance(temperatures, list | tuple | np.ndarray):
        raise ChargenError(f"temperatures must be a list of numbers (None = greedy), not {type(temperatures).__name__} "
                           f"{temperatures!r}", key="temperatures", value=temperatures)
    if not len(temperatures):
        raise ChargenError("give at least one temperature", key="no_temperature")
    if len(temperatures) > max_rows:
        raise ChargenError(f"{len(temperatures):,} temperatures; the limit is {max_rows:,} rows per comparison", key="rows",
                           n=len(temperatures), limit=max_rows)
    return list(temperatures)


def check_seed(seed, max_seed: int = MAX_SEED) -> int:
    """A seed from 0 to ``max_seed``; None draws a fresh one."""
    if seed is None:
        return int(np.random.SeedSequence().entropy % 2**32)
    return check_whole("seed", seed, 0, max_seed)


class Generator:
    """A loaded model ready to decode: ``gen.generate(...)``, ``gen.compare(...)``, ``gen.score(...)``."""

    def __init__(self, model, vocab, card, name: str = "model", known_words=frozenset(), training_titles=None):
        self.model = model
        self.vocab = vocab
        self.card = card  # a chargen.card.Card
        self.name = name
        self.known_words = known_words  # lower-cased words of the training text (may be empty)
        self.training_titles = training_titles  # chargen.copies.TrainingTitles, or None when the bundle has none
        self.fast = FastModel(model, card.architecture.to_dict())
        self._token_array = np.array(vocab.tokens, dtype=object)
        self._out_biases = {}  # stop_at_end -> the output bias with reserved ids masked

    def _prompt_ids(self, prompt, limits: Limits = LIMITS):
        if not isinstance(prompt, str):
            raise ChargenError(f"prompt must be text, not {type(prompt).__name__}", key="text", name="prompt",
                               type=type(prompt).__name__)
        if limits.prompt_needed and not prompt.strip():
            raise ChargenError("the prompt is empty", key="empty")
        if len(prompt) > limits.max_prompt_chars:
            raise ChargenError(f"prompt is {len(prompt):,} characters; the limit is {limits.max_prompt_chars:,}",
                               key="long", n=len(prompt), limit=limits.max_prompt_chars)
        ids, unknown = self.vocab.encode_prompt(prompt)
        if limits.prompt_needed and not ids:
            units = "characters" if self.vocab.level == "char" else "words"
            raise ChargenError(f"the model knows none of the prompt's {units}", key="unknown", level=self.vocab.level)
        return [self.vocab.bos, *ids], unknown

    def _out_bias(self, stop_at_end: bool) -> np.ndarray:
        """The output bias with -inf at ids that must never be chosen: the reserved ones
        (and <eos> too when the caller does not want to stop). Made once per setting; never written to."""
        if stop_at_end not in self._out_biases:
            banned = [i for i in self.vocab.reserved_ids if not (stop_at_end and i == self.vocab.eos)]
            self._out_biases[stop_at_end] = (self.fast.out_b + sampling.ban_bias(len(self.vocab), banned)).astype(np.float32)
        return self._out_biases[stop_at_end]

    def distribution_of(self, logits, temperature=1.0, top_k=None, top_p=None, min_p=None,
                        limits: Limits = LIMITS) -> Distribution:
        """The :class:`Distribution` of one step's ``logits`` under the settings (validated here)."""
        top_k, top_p, min_p = sampling.check_truncation(top_k, top_p, min_p)
        p_t1 = sampling.softmax(logits)
        if temperature is None:  # greedy ignores truncation
            return Distribution(self._token_array, p_t1, p_t1, None, None, None, None)
        temperature = check_temperature(temperature, limits.temperature)
        p = sampling.distribution(logits, temperature, top_k, top_p, min_p)
        return Distribution(self._token_array, p_t1, p, temperature, top_k, top_p, min_p)

    def generate(self, prompt, length=100, temperature=1.0, greedy=False, seed=None, top_k=None, top_p=None,
                 min_p=None, alternatives=5, stop_at_end=True, limits: Limits = LIMITS) -> Generation:
        """Continue ``prompt`` by up to ``length`` tokens; see :class:`Generation`. ``limits``: a
        caller's own, tighter :class:`Limits` (the app's)."""
        return self._decode(prompt, [None if greedy else check_temperature(temperature, limits.temperature)], length,
                            seed, (top_k, top_p, min_p), alternatives, stop_at_end, limits)[0]

    def compare(self, prompt, temperatures=LESSON_TEMPERATURES, length=100, seed=0, top_k=None, top_p=None,
                min_p=None, alternatives=5, stop_at_end=True, limits: Limits = LIMITS) -> list[Generation]:
        """One generation per temperature (a list, or one number; ``None`` = greedy), decoded together
        as one batch; at most ``limits.max_rows`` rows. Row i is exactly ``generate(prompt,
        temperature=temperatures[i], seed=seed, ...)``: the rows share their noise."""
        temperatures = [None if t is None else check_temperature(t, limits.temperature)
                        for t in temperature_rows(temperatures, limits.max_rows)]
        return self._decode(prompt, temperatures, length, seed, (top_k, top_p, min_p), alternatives, stop_at_end,
                            limits)

    def _decode(self, prompt, temperatures, length, seed, truncation, alternatives, stop_at_end, limits):
        length = check_whole("length", length, *limits.length)
        if limits.max_tokens is not None and len(temperatures) * length > limits.max_tokens:
            raise ChargenError(f"{len(temperatures):,} rows of {length:,} tokens is more than one call may take "
                               f"({limits.max_tokens:,} tokens in all)", key="work", rows=len(temperatures),
                               length=length, limit=limits.max_tokens)
        alternatives = check_whole("alternatives", alternatives, *limits.alternatives)
        top_k, top_p, min_p = truncation = sampling.check_truncation(*truncation)
        seed = check_seed(seed, limits.max_seed)
        if not isinstance(stop_at_end, bool):
            raise ChargenError(f"stop_at_end must be True or False, not {stop_at_end!r}", key="stop", value=stop_at_end)
        ids, unknown = self._prompt_ids(prompt, limits)
        rows, size = len(temperatures), len(self.vocab)
        out_bias = self._out_bias(stop_at_end)
        greedy = [r for r, t in enumerate(temperatures) if t is None]
        sampled = len(greedy) < rows
        # T per row (greedy rows: unused); one row: T itself, a number, so that T = 1 costs nothing
        t_rows = np.array([[t or 1.0] for t in temperatures], np.float32) if rows > 1 else temperatures[0] or 1.0
        rng = random_stream(seed, ids)  # the seed and the prompt as read decide the noise; every row shares it
        eos = self.vocab.eos
        # Full distributions are held for a chunk of steps, then summarized: memory stays
        # bounded for long runs, many rows and large (word) vocabularies.
        chunk_steps = max(1, min(TRACE_CHUNK, TRACE_VALUES // (rows * size)))

        # Every row reads the same prompt: read it once, then give each row a copy of the state.
        logits, state = self.fast.read(ids, batch=1, out_bias=out_bias)
        logits = np.repeat(logits, rows, axis=0)
        state = [tuple(np.repeat(part, rows, axis=0) for part in layer) for layer in state]
        # What .distribution needs of every step, whichever is narrower: the logits themselves, or the
        # top layer's h (units wide) that gives them (a word vocabulary is wider than the state).
        keep_logits = size <= self.fast.units
        hidden = state[-1][0]
        kept = []
        history, chosen, summaries = [], [], []  # this chunk's logits and choices; the chunks' summaries
        n_steps = np.full(rows, length)
        finished = np.zeros(rows, dtype=bool)
        running = None  # once some rows have ended: the indices of the others, whose state is kept
        for t in range(length):
            i = t % chunk_steps
            if i == 0 and sampled:  # one row of standard Gumbel noise per step, shared by every row
                noise = sampling.gumbel_noise(rng, min(chunk_steps, length - t), size).astype(np.float32)
            if sampled:
                scores = sampling.with_temperature(logits, t_rows)  # log p^(1/T), up to a constant per row
                scores = sampling.truncate(scores, top_k, top_p, min_p)  # -inf where top_k, top_p, min_p remove
                step_ids = sampling.gumbel_choice(scores, noise[i])  # Gumbel-max: a draw from softmax(scores)
                if greedy:
                    step_ids[greedy] = logits[greedy].argmax(axis=-1)  # greedy rows take the most probable token
            else:
                step_ids = logits.argmax(axis=-1)  # greedy: the most probable token
            history.append(logits)
            kept.append(logits if keep_logits else hidden)
            chosen.append(step_ids)
            last = t == length - 1
            if stop_at_end and eos in step_ids.tolist():
                newly = (step_ids == eos) & ~finished
                n_steps[newly] = t + 1
                finished |= newly
                last = last or finished.all()
                if newly.any() and not last:  # ended rows leave the batch: their steps would be cut off
                    keep = ~finished if running is None else ~finished[running]
                    running = np.flatnonzero(~finished)
                    state = [tuple(part[keep] for part in layer) for layer in state]
            if last or i == chunk_steps - 1:
                summaries.append(self._summarize(np.stack(history), np.stack(chosen), temperatures, alternatives,
                                                 truncation))
                history, chosen = [], []
            if last:
                break
            if running is None:
                logits, state = self.fast.logits(step_ids, state, out_bias)
                hidden = state[-1][0]
            else:  # ended rows keep stale logits: what they draw from them is cut off
                running_logits, state = self.fast.logits(step_ids[running], state, out_bias)
                logits, hidden = logits.copy(), hidden.copy()
                logits[running], hidden[running] = running_logits, state[-1][0]

        trace = {key: np.concatenate([s[key] for s in summaries], axis=1) for key in summaries[0]} if summaries else {}
        made = dict(prompt=prompt, seed=seed, unknown=unknown, level=self.vocab.level, model=self.name,
                    prompt_tokens=[self.vocab.tokens[i] for i in ids[1:]], stop_at_end=stop_at_end,
                    alternatives=alternatives, generator=self)
        prompt_text = self.prompt_text(prompt)
        return [self._generation({key: v[r, : n_steps[r]] for key, v in trace.items()}, prompt_text,
                                 temperatures[r], truncation, made | {"kept": kept, "row": r})
                for r in range(rows)]

    def _summarize(self, logits, ids, temperatures, alternatives, truncation):
        """Trace arrays, shaped (row, step, ...), for ``logits`` (step, row, vocabulary) and the
        chosen ``ids`` (step, row): vectorized over steps and rows alike."""
        logits, ids = logits.swapaxes(0, 1), ids.T
        p1 = sampling.softmax(logits)
        truncating = any(setting is not None for setting in truncation)
        drawn = [r for r, t in enumerate(temperatures) if t is not None and (t != 1.0 or truncating)]
        p = p1  # greedy rows, and T = 1 without truncation: the distribution at T = 1
        if drawn:
            p = p1.copy()
            t_column = np.array([temperatures[r] for r in drawn])[:, None, None]
            p[drawn] = sampling.distribution(logits[drawn], t_column, *truncation)
        k = min(alternatives, int((p1[0, 0] > 0).sum()))
        top = sampling.most_probable(p1, k) if k else np.zeros((*ids.shape, 0), dtype=np.int64)

        def at_t1_and_p(fn):  # fn of p at T = 1 and of p drawn from: computed once where they are the same
            at_t1 = fn(p1)
            return at_t1, (fn(p) if drawn else at_t1)

        prob_t1, prob = at_t1_and_p(lambda q: np.take_along_axis(q, ids[..., None], -1)[..., 0])
        entropy_t1, entropy = at_t1_and_p(sampling.entropy_bits)
        top_t1, top_p = at_t1_and_p(lambda q: np.take_along_axis(q, top, -1))
        return dict(ids=ids, prob=prob, prob_t1=prob_t1, rank=sampling.rank(p1, ids), entropy=entropy,
                    entropy_t1=entropy_t1, top=top, top_t1=top_t1, top_p=top_p, top_removed=top_p == 0)

    def _steps(self, trace: dict, after: str) -> tuple[list[Step], str]:
        """One row's step records from its trace arrays; ``after`` is the text they follow
        (for word spacing). Returns the steps and the text they add."""
        if not trace or not len(trace["ids"]):
            return [], ""
        tokens, eos = self.vocab.tokens, self.vocab.eos
        ids = trace["ids"].tolist()
        names = [tokens[i] for i in ids]
        ended = ids[-1] == eos  # the end can only be the last step
        pieces = self.vocab.pieces(names[: len(names) - ended], after) + [""] * ended
        # Every step's alternatives made in one pass over flat columns, then cut into steps;
        # tuple.__new__ is C-level (a namedtuple's own __new__ is Python, 5x slower).
        k = trace["top"].shape[1]
        top_columns = (self._token_array[trace["top"]], *(trace[key] for key in ("top", "top_t1", "top_p", "top_removed")))
        flat = list(map(functools.partial(tuple.__new__, Alternative), zip(*(c.ravel().tolist() for c in top_columns))))
        tops = [flat[j : j + k] for j in range(0, len(flat), k)] if k else [[] for _ in ids]
        columns = (names, ids, pieces, *(trace[key].tolist() for key in ("prob", "prob_t1", "rank", "entropy", "entropy_t1")),
                   tops)
        steps = list(itertools.starmap(Step, zip(*columns)))  # positional: the order of Step's fields
        steps[-1].end = ended
        return steps, "".join(pieces)

    def _generation(self, trace, prompt_text, temperature, truncation, made) -> Generation:
        steps, text = self._steps(trace, prompt_text)
        top_k, top_p, min_p = (None, None, None) if temperature is None else truncation  # greedy ignores them
        return Generation(text=text, steps=steps, temperature=temperature, greedy=temperature is None,
                          ended=bool(steps and steps[-1].end), top_k=top_k, top_p=top_p, min_p=min_p, **made)

    def copied(self, out: "Generation") -> bool | None:
        """True when ``out`` (prompt and continuation, ended) is one of the training titles word for word;
        None when the bundle does not ship its training titles."""
        if self.training_titles is None:
            return None
        prompt_ids, _ = self.vocab.encode_prompt(out.prompt)
        return out.ended and [*prompt_ids, *(s.id for s in out.steps[:-1])] in self.training_titles

    def score(self, text, alternatives=5):
        """Every token of ``text`` as the model saw it coming: see :func:`chargen.evaluate.score`."""
        from .evaluate import score

        return score(self, text, alternatives)

    def start(self, prompt: str, alternatives: int = 5, limits: Limits = LIMITS) -> "Stepper":
        """Decode by hand from ``prompt``: see :class:`Stepper`."""
        return Stepper(self, prompt, alternatives, limits)

    def prompt_text(self, prompt: str) -> str:
        """The prompt as the page shows it (normalized, case kept); generated text follows it directly."""
        return self.vocab.display(prompt)


class Stepper:
    """Decoding by hand: the model proposes its next tokens, the caller picks one.

    The prompt is read once; each pick feeds one token and keeps the RNN state of
    every step, so ``undo`` is free and nothing is ever re-run.

        s = gen.start("Today ")
        s.proposals(temperature=0.8, top_p=0.9)   # [Alternative(token, id, p_t1, p, removed), ...]
        s.choose(s.proposals()[0].id); s.sample(0.8, seed=0); s.greedy(); s.undo()
        s.distribution(0.8).sample(1000)          # the current step's whole distribution
        s.text, s.steps

    ``sample`` follows ``generate``'s noise: step n draws with row n of ``random_stream(seed,
    prompt ids)``, so sampling every step with one seed and setting writes ``generate``'s text.
    """

    def __init__(self, gen: Generator, prompt: str, alternatives: int = 5, limits: Limits = LIMITS):
        self._ids, self.unknown = gen._prompt_ids(prompt, limits)
        self.gen, self.prompt, self.limits = gen, prompt, limits
        self.alternatives = check_whole("alternatives", alternatives, *limits.alternatives)
        self._out_bias = gen._out_bias(stop_at_end=True)
        self._prompt_text = gen.prompt_text(prompt)
        logits, state = gen.fast.read(self._ids, 1, self._out_bias)
        self._frames = [(logits, state)]  # the logits and state before each step
        self._noise = (None, None, 0)  # (seed, its random stream, rows drawn from it so far)
        self.steps: list[Step] = []

    @property
    def text(self) -> str:
        """The continuation so far, without the prompt."""
        return "".join(s.text for s in self.steps)

    @property
    def ended(self) -> bool:
        return bool(self.steps and self.steps[-1].end)

    def distribution(self, temperature=1.0, top_k=None, top_p=None, min_p=None) -> Distribution:
        """The next token's whole distribution under these settings (``temperature=None``: greedy)."""
        return self.gen.distribution_of(self._frames[-1][0][0], temperature, top_k, top_p, min_p, self.limits)

    def probabilities(self, temperature: float | None = None) -> np.ndarray:
        """The next token's distribution over the vocabulary (at T = 1, or at ``temperature``)."""
        return self.distribution(1.0 if temperature is None else temperature).p

    def proposals(self, temperature=1.0, k: int | None = None, top_k=None, top_p=None, min_p=None) -> list[Alternative]:
        """The ``k`` most probable next tokens (default: ``alternatives``), as :class:`Alternative`."""
        k = None if k is None else check_whole("alternatives", k, *self.limits.alternatives)
        d = self.distribution(temperature, top_k, top_p, min_p)
        top = sampling.most_probable(d.p_t1, min(k or self.alternatives or 1, int((d.p_t1 > 0).sum())))
        return [Alternative(self.gen.vocab.tokens[i], i, float(d.p_t1[i]), float(d.p[i]), bool(d.p[i] == 0))
                for i in top.tolist()]

    def choose(self, token_id: int, temperature=None, top_k=None, top_p=None, min_p=None) -> Step:
        """Take ``token_id`` as the next token; its step is recorded under these settings."""
        if self.ended:
            raise ChargenError("the title has ended; undo a step to go on", key="ended")
        logits, state = self._frames[-1]
        token_id = check_whole("token_id", token_id, 0, len(self.gen.vocab) - 1)
        if not np.isfinite(logits[0, token_id]):
            raise ChargenError(f"{self.gen.vocab.tokens[token_id]!r} is reserved and cannot be chosen", key="reserved",
                               token=self.gen.vocab.tokens[token_id])
        temperature = None if temperature is None else check_temperature(temperature, self.limits.temperature)
        truncation = sampling.check_truncation(top_k, top_p, min_p) if temperature is not None else (None,) * 3
        trace = self.gen._summarize(logits[None], np.array([[token_id]]), [temperature], self.alternatives, truncation)
        (step,), _ = self.gen._steps({key: v[0] for key, v in trace.items()}, self._prompt_text + self.text)
        self.steps.append(step)
        self._frames.append(self.gen.fast.logits(np.array([token_id]), state, self._out_bias))
        return step

    def sample(self, temperature=1.0, seed=0, top_k=None, top_p=None, min_p=None) -> Step:
        """Draw the next token as ``generate`` would at this step with this seed and these settings."""
        temperature = check_temperature(temperature, self.limits.temperature)
        truncation = sampling.check_truncation(top_k, top_p, min_p)
        noise = self._noise_row(check_seed(seed, self.limits.max_seed), len(self.steps))
        scores = sampling.with_temperature(self._frames[-1][0], temperature)  # as generate's loop does for one row
        scores = sampling.truncate(scores, *truncation)
        return self.choose(int(sampling.gumbel_choice(scores, noise)[0]), temperature, *truncation)

    def _noise_row(self, seed: int, n: int) -> np.ndarray:
        """Row ``n`` of the generation's noise for ``seed`` (the stream is kept, and restarted after an undo)."""
        kept_seed, stream, drawn = self._noise
        if kept_seed != seed or drawn > n:
            stream, drawn = random_stream(seed, self._ids), 0
        while drawn <= n:  # row by row: the same numbers as generate's chunks
            row = sampling.gumbel_noise(stream, 1, len(self.gen.vocab)).astype(np.float32)
            drawn += 1
        self._noise = (seed, stream, drawn)
        return row[0]

    def greedy(self) -> Step:
        """Take the most probable next token."""
        return self.choose(int(self._frames[-1][0][0].argmax()))

    def undo(self) -> None:
        """Take back the last step (nothing is re-run: its state is simply dropped)."""
        if self.steps:
            self.steps.pop()
            self._frames.pop()
