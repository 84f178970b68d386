"""Stateful decoding with a per-step trace.

The prompt is read once; then each step feeds only the token just chosen and
carries the RNN state, so a step costs the same at character 5 and at 5,000.
Every step is recorded: the chosen token, its probability at T and at T=1, its
rank, the entropy, and the top-k alternatives. Randomness comes only from a
``numpy.random.Generator`` made from the call's seed.
"""
from __future__ import annotations

import itertools
import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from . import sampling
from .errors import ChargenError
from .fast import FastModel

MAX_PROMPT_CHARS = 2_000
MAX_LENGTH = 5_000
TRACE_CHUNK = 256  # steps of full distributions held before they are summarized ...
TRACE_VALUES = 2**20  # ... and at most this many probabilities (rows x steps x vocabulary)
LESSON_TEMPERATURES = (0.3, 0.8, 1.0, 1.3, 1.8)


@dataclass(slots=True)
class Step:
    """One generated token. ``token`` is the level-neutral name (``char`` too)."""

    token: str  # the token itself: a character or a word ("<eos>" for the end)
    id: int
    text: str  # what it adds to the generated text (words bring their space)
    prob: float  # probability of the chosen token in the distribution sampled from (at T)
    prob_t1: float  # its probability at T = 1
    rank: int  # 1 = the model's most probable token
    entropy: float  # bits, of the distribution sampled from (at T)
    entropy_t1: float  # bits, at T = 1
    top: list  # [(token, p_t1, p_T), ...] the k most probable, most probable first
    end: bool = False  # the end-of-title token

    @property
    def char(self) -> str:
        """The token, under the name character models' callers know."""
        return self.token

    def as_dict(self) -> dict:
        """The fields as a dict (for JSON): ``dataclasses.asdict`` without its deep copy, 20x faster."""
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass
class Generation:
    """The result of one decoding: ``text`` is the continuation only, without the prompt."""

    prompt: str
    text: str
    steps: list[Step]
    temperature: float | None  # None under greedy decoding
    greedy: bool
    seed: int
    ended: bool  # stopped at the end-of-title token
    unknown: list[str] = field(default_factory=list)  # prompt tokens the vocabulary lacked
    level: str = "char"

    @property
    def label(self) -> str:
        return "greedy" if self.greedy else f"T={self.temperature:g}"

    @property
    def log_likelihood(self) -> float:
        """log2 probability (at T = 1) of the generated tokens: the model's own judgement."""
        return float(sum(math.log2(max(s.prob_t1, 1e-300)) for s in self.steps))


def _check_int(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ChargenError(f"{name} must be a whole number, not {value!r}")
    if not low <= value <= high:
        raise ChargenError(f"{name} must be between {low:,} and {high:,}, not {value:,}")
    return int(value)


def check_temperature(temperature) -> float:
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        raise ChargenError(f"temperature must be a number, not {temperature!r}") from None
    if not (math.isfinite(t) and t > 0):
        raise ChargenError(
            f"temperature must be a positive finite number, not {temperature!r} (use greedy decoding for T -> 0)"
        )
    return t


def check_seed(seed) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy % 2**32)
    return _check_int("seed", seed, 0, 2**63 - 1)


class Generator:
    """A loaded model ready to decode: ``gen.generate(...)``, ``gen.compare(...)``."""

    def __init__(self, model, vocab, card, name: str = "model", known_words=frozenset(), training_titles=None):
        self.model = model
        self.vocab = vocab
        self.card = card  # a chargen.card.Card
        self.name = name
        self.known_words = known_words  # lower-cased words of the training text (may be empty)
        self.training_titles = training_titles  # chargen.copies.TrainingTitles, or None when the bundle has none
        self.fast = FastModel(model, card.architecture.to_dict())
        self._token_array = np.array(vocab.tokens, dtype=object)

    def _prompt_ids(self, prompt):
        if not isinstance(prompt, str):
            raise ChargenError(f"prompt must be text, not {type(prompt).__name__}")
        if len(prompt) > MAX_PROMPT_CHARS:
            raise ChargenError(f"prompt is {len(prompt):,} characters; the limit is {MAX_PROMPT_CHARS:,}")
        ids, unknown = self.vocab.encode_prompt(prompt)
        return [self.vocab.bos, *ids], unknown

    def _out_bias(self, stop_at_end: bool) -> np.ndarray:
        """The output bias with -inf at ids that must never be chosen: the reserved ones
        (and <eos> too when the caller does not want to stop)."""
        banned = [i for i in self.vocab.reserved_ids if not (stop_at_end and i == self.vocab.eos)]
        return (self.fast.out_b + sampling.ban_bias(len(self.vocab), banned)).astype(np.float32)

    def generate(self, prompt, length=100, temperature=1.0, greedy=False, seed=None, top_k=5, stop_at_end=True):
        """Continue ``prompt`` by up to ``length`` tokens; see :class:`Generation`."""
        return self._decode(prompt, [None if greedy else temperature], length, seed, top_k, stop_at_end)[0]

    def compare(self, prompt, temperatures=LESSON_TEMPERATURES, length=100, seed=0, top_k=5, stop_at_end=True):
        """One generation per temperature (``None`` = greedy), decoded together as one batch.

        Row i is exactly ``generate(prompt, temperature=temperatures[i], seed=seed, ...)``.
        """
        if not len(temperatures):
            raise ChargenError("give at least one temperature")
        return self._decode(prompt, list(temperatures), length, seed, top_k, stop_at_end)

    def _decode(self, prompt, temperatures, length, seed, top_k, stop_at_end):
        length = _check_int("length", length, 0, MAX_LENGTH)
        top_k = _check_int("top_k", top_k, 0, 10**9)
        seed = check_seed(seed)
        temperatures = [None if t is None else check_temperature(t) for t in temperatures]
        ids, unknown = self._prompt_ids(prompt)
        rows, size = len(temperatures), len(self.vocab)
        out_bias = self._out_bias(stop_at_end)
        noise_scale = np.array([0.0 if t is None else t for t in temperatures])[:, None]
        rng = np.random.default_rng(seed)  # every row draws the same noise: row i == generate(seed)
        eos = self.vocab.eos
        # Full distributions are held for a chunk of steps, then summarized: memory stays
        # bounded for long runs, many rows and large (word) vocabularies.
        chunk_steps = max(1, min(TRACE_CHUNK, TRACE_VALUES // (rows * size)))

        # Every row reads the same prompt: read it once, then give each row a copy of the state.
        logits, state = self.fast.read(ids, batch=1, out_bias=out_bias)
        logits = np.repeat(logits, rows, axis=0)
        state = [tuple(np.repeat(part, rows, axis=0) for part in layer) for layer in state]
        history, chosen, summaries = [], [], []  # this chunk's logits and choices; the chunks' summaries
        n_steps = np.full(rows, length)
        finished = np.zeros(rows, dtype=bool)
        running = None  # once some rows have ended: the indices of the others, whose state is kept
        for t in range(length):
            i = t % chunk_steps
            if i == 0:  # (step, row, vocabulary), float32 like the logits: each step adds one contiguous block
                noise = sampling.gumbel_noise(rng, min(chunk_steps, length - t), size)
                scaled_noise = (noise[:, None] * noise_scale).astype(np.float32)
            step_ids = sampling.gumbel_choice(logits, scaled_noise[i])
            history.append(logits)
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
                summaries.append(self._summarize(np.stack(history), np.stack(chosen), temperatures, top_k))
                history, chosen = [], []
            if last:
                break
            if running is None:
                logits, state = self.fast.logits(step_ids, state, out_bias)
            else:  # ended rows keep stale logits: what they draw from them is cut off
                running_logits, state = self.fast.logits(step_ids[running], state, out_bias)
                logits = logits.copy()
                logits[running] = running_logits

        prompt_text = self.prompt_text(prompt)
        trace = {key: np.concatenate([s[key] for s in summaries], axis=1) for key in summaries[0]} if summaries else {}
        return [
            self._generation(prompt, prompt_text, {key: v[r, : n_steps[r]] for key, v in trace.items()},
                             temperatures[r], seed, unknown)
            for r in range(rows)
        ]

    def _summarize(self, logits, ids, temperatures, top_k):
        """Trace arrays, shaped (row, step, ...), for ``logits`` (step, row, vocabulary) and the
        chosen ``ids`` (step, row): vectorized over steps and rows alike."""
        p1 = sampling.softmax(logits.swapaxes(0, 1))
        ids = ids.T
        p_t = p1
        tempered = [r for r, t in enumerate(temperatures) if t not in (None, 1.0)]  # greedy: p_T is p at T = 1
        if tempered:
            p_t = p1.copy()
            p_t[tempered] = sampling.apply_temperature(p1[tempered], [temperatures[r] for r in tempered])
        k = min(top_k, int((p1[0, 0] > 0).sum()))
        top = sampling.top_k(p1, k) if k else np.zeros((*ids.shape, 0), dtype=np.int64)
        def at_t1_and_t(fn):  # fn of p at T = 1 and at T: computed once where no row is tempered
            at_t1 = fn(p1)
            return at_t1, (fn(p_t) if tempered else at_t1)

        prob_t1, prob = at_t1_and_t(lambda p: np.take_along_axis(p, ids[..., None], -1)[..., 0])
        entropy_t1, entropy = at_t1_and_t(sampling.entropy_bits)
        top_t1, top_t = at_t1_and_t(lambda p: np.take_along_axis(p, top, -1))
        return dict(ids=ids, prob=prob, prob_t1=prob_t1, rank=sampling.rank(p1, ids), entropy=entropy,
                    entropy_t1=entropy_t1, top=top, top_t1=top_t1, top_t=top_t)

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
        top_names = self._token_array[trace["top"]].tolist()  # one lookup for every step's alternatives
        tops = [list(zip(*top)) for top in zip(top_names, trace["top_t1"].tolist(), trace["top_t"].tolist())]
        columns = (names, ids, pieces, *(trace[key].tolist() for key in ("prob", "prob_t1", "rank", "entropy", "entropy_t1")),
                   tops)
        steps = list(itertools.starmap(Step, zip(*columns)))  # positional: the order of Step's fields
        steps[-1].end = ended
        return steps, "".join(pieces)

    def _generation(self, prompt, prompt_text, trace, temperature, seed, unknown):
        steps, text = self._steps(trace, prompt_text)
        return Generation(
            prompt=prompt, text=text, steps=steps, temperature=temperature,
            greedy=temperature is None, seed=seed, ended=bool(steps and steps[-1].end),
            unknown=unknown, level=self.vocab.level,
        )

    def copied(self, out: "Generation") -> bool | None:
        """True when ``out`` (prompt and continuation, ended) is one of the training titles word for word;
        None when the bundle does not ship its training titles."""
        if self.training_titles is None:
            return None
        prompt_ids, _ = self.vocab.encode_prompt(out.prompt)
        return out.ended and [*prompt_ids, *(s.id for s in out.steps[:-1])] in self.training_titles

    def start(self, prompt: str, top_k: int = 5) -> "Stepper":
        """Decode by hand from ``prompt``: see :class:`Stepper`."""
        return Stepper(self, prompt, top_k)

    def prompt_text(self, prompt: str) -> str:
        """The prompt as the page shows it (normalized, case kept); generated text follows it directly."""
        return self.vocab.display(prompt)


class Stepper:
    """Decoding by hand: the model proposes its next tokens, the caller picks one.

    The prompt is read once; each pick feeds one token and keeps the RNN state of
    every step, so ``undo`` is free and nothing is ever re-run.

        s = gen.start("Today ")
        s.proposals(temperature=0.8)   # [(token, id, p at T=1, p at T), ...]
        s.choose(s.proposals()[0][1]); s.sample(0.8, seed=0); s.greedy(); s.undo()
        s.text, s.steps
    """

    def __init__(self, gen: Generator, prompt: str, top_k: int = 5):
        ids, self.unknown = gen._prompt_ids(prompt)
        self.gen, self.prompt = gen, prompt
        self.top_k = _check_int("top_k", top_k, 0, 10**9)
        self._out_bias = gen._out_bias(stop_at_end=True)
        self._prompt_text = gen.prompt_text(prompt)
        logits, state = gen.fast.read(ids, 1, self._out_bias)
        self._frames = [(logits, state)]  # the logits and state before each step
        self.steps: list[Step] = []

    @property
    def text(self) -> str:
        """The continuation so far, without the prompt."""
        return "".join(s.text for s in self.steps)

    @property
    def ended(self) -> bool:
        return bool(self.steps and self.steps[-1].end)

    def probabilities(self, temperature: float | None = None) -> np.ndarray:
        """The next token's distribution over the vocabulary (at T = 1, or at ``temperature``)."""
        p1 = sampling.softmax(self._frames[-1][0][0])
        return p1 if temperature is None else sampling.apply_temperature(p1, check_temperature(temperature))

    def proposals(self, temperature: float = 1.0, k: int | None = None) -> list[tuple[str, int, float, float]]:
        """The ``k`` most probable next tokens: ``(token, id, p at T=1, p at T)``."""
        p1, p_t = self.probabilities(), self.probabilities(temperature)
        top = sampling.top_k(p1, min(k or self.top_k or 1, int((p1 > 0).sum())))
        return [(self.gen.vocab.tokens[i], int(i), float(p1[i]), float(p_t[i])) for i in top.tolist()]

    def choose(self, token_id: int, temperature: float | None = None) -> Step:
        """Take ``token_id`` as the next token; its step is recorded at ``temperature``."""
        if self.ended:
            raise ChargenError("the title has ended; undo a step to go on")
        logits, state = self._frames[-1]
        token_id = _check_int("token id", token_id, 0, len(self.gen.vocab) - 1)
        if not np.isfinite(logits[0, token_id]):
            raise ChargenError(f"{self.gen.vocab.tokens[token_id]!r} is reserved and cannot be chosen")
        temperature = None if temperature is None else check_temperature(temperature)
        trace = self.gen._summarize(logits[None], np.array([[token_id]]), [temperature], self.top_k)
        (step,), _ = self.gen._steps({key: v[0] for key, v in trace.items()}, self._prompt_text + self.text)
        self.steps.append(step)
        self._frames.append(self.gen.fast.logits(np.array([token_id]), state, self._out_bias))
        return step

    def sample(self, temperature: float = 1.0, seed: int = 0) -> Step:
        """Draw the next token at ``temperature``; the same seed and step give the same draw."""
        temperature = check_temperature(temperature)
        rng = np.random.default_rng([check_seed(seed), len(self.steps)])
        noise = temperature * sampling.gumbel_noise(rng, 1, len(self.gen.vocab))
        return self.choose(int(sampling.gumbel_choice(self._frames[-1][0], noise)[0]), temperature)

    def greedy(self) -> Step:
        """Take the most probable next token."""
        return self.choose(int(self._frames[-1][0][0].argmax()))

    def undo(self) -> None:
        """Take back the last step (nothing is re-run: its state is simply dropped)."""
        if self.steps:
            self.steps.pop()
            self._frames.pop()
