"""Stateful decoding with a per-step trace.

The prompt is read once; then each step feeds only the token just chosen and
carries the RNN state, so a step costs the same at character 5 and at 5,000.
Every step is recorded: the chosen token, its probability at T and at T=1, its
rank, the entropy, and the top-k alternatives. Randomness comes only from a
``numpy.random.Generator`` made from the call's seed.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from . import sampling
from .errors import ChargenError
from .fast import FastModel

MAX_PROMPT_CHARS = 2_000
MAX_LENGTH = 5_000
TRACE_CHUNK = 256  # steps of full distributions held before they are summarized
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

    def __init__(self, model, vocab, card: dict, name: str = "model", known_words=frozenset()):
        self.model = model
        self.vocab = vocab
        self.card = card
        self.name = name
        self.known_words = known_words  # lower-cased words of the training text (may be empty)
        self.fast = FastModel(model, card["architecture"])

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
        noise_scale = np.array([0.0 if t is None else t for t in temperatures])[:, None, None]
        rng = np.random.default_rng(seed)  # every row draws the same noise: row i == generate(seed)
        eos = self.vocab.eos

        # Every row reads the same prompt: read it once, then give each row a copy of the state.
        logits, state = self.fast.read(ids, batch=1, out_bias=out_bias)
        logits = np.repeat(logits, rows, axis=0)
        state = [tuple(np.repeat(part, rows, axis=0) for part in layer) for layer in state]
        chosen = np.zeros((length, rows), dtype=np.int64)
        history = np.zeros((min(length, TRACE_CHUNK), rows, size))  # logits, summarized every chunk
        summaries = [[] for _ in range(rows)]
        n_steps = np.full(rows, length)
        finished = np.zeros(rows, dtype=bool)
        for t in range(length):
            i = t % TRACE_CHUNK
            if i == 0:
                chunk = min(TRACE_CHUNK, length - t)
                scaled_noise = noise_scale * sampling.gumbel_noise(rng, chunk, size)[None]
            history[i] = logits
            step_ids = chosen[t] = sampling.gumbel_choice(logits, scaled_noise[:, i])
            last = t == length - 1
            if stop_at_end and eos in step_ids.tolist():
                newly = (step_ids == eos) & ~finished
                n_steps[newly] = t + 1
                finished |= newly
                last = last or finished.all()
            if last or i == TRACE_CHUNK - 1:
                # Summarize the chunk now so memory stays bounded for long runs over large vocabularies.
                begin = t - i
                for r in range(rows):
                    n = min(t + 1, n_steps[r]) - begin
                    if n > 0:
                        summaries[r].append(self._summarize(history[:n, r], chosen[begin : begin + n, r], temperatures[r], top_k))
            if last:
                break
            logits, state = self.fast.logits(step_ids, state, out_bias)

        prompt_text = self.prompt_text(prompt)
        return [
            self._steps_to_generation(prompt, prompt_text, summaries[r], temperatures[r], seed, unknown)
            for r in range(rows)
        ]

    def _summarize(self, logits, ids, temperature, top_k):
        """Per-step trace arrays for one row's run of steps, vectorized over the steps."""
        p1 = sampling.softmax(logits)
        p_t = p1 if temperature is None else sampling.apply_temperature(p1, temperature)
        rows = np.arange(len(ids))
        k = min(top_k, int((p1[0] > 0).sum()))
        top = sampling.top_k(p1, k) if k else np.zeros((len(ids), 0), dtype=np.int64)
        return dict(
            ids=ids.copy(), prob=p_t[rows, ids], prob_t1=p1[rows, ids], rank=sampling.rank(p1, ids),
            entropy=sampling.entropy_bits(p_t), entropy_t1=sampling.entropy_bits(p1),
            top=top, top_t1=np.take_along_axis(p1, top, axis=1), top_t=np.take_along_axis(p_t, top, axis=1),
        )

    def _steps(self, summaries, after: str) -> tuple[list[Step], str]:
        """Step records from summaries; ``after`` is the text they follow (for word spacing)."""
        tokens = self.vocab.tokens
        steps, text = [], after
        for s in summaries:
            columns = {k: v.tolist() for k, v in s.items()}  # plain Python values, converted once
            for i, token_id in enumerate(columns["ids"]):
                end = token_id == self.vocab.eos
                piece = "" if end else self.vocab.join([tokens[token_id]], after=text)
                text += piece
                steps.append(Step(
                    token=tokens[token_id], id=token_id, text=piece,
                    prob=columns["prob"][i], prob_t1=columns["prob_t1"][i], rank=columns["rank"][i],
                    entropy=columns["entropy"][i], entropy_t1=columns["entropy_t1"][i],
                    top=[(tokens[j], a, b) for j, a, b in zip(columns["top"][i], columns["top_t1"][i], columns["top_t"][i])],
                    end=end,
                ))
        return steps, text[len(after):]

    def _steps_to_generation(self, prompt, prompt_text, summaries, temperature, seed, unknown):
        steps, text = self._steps(summaries, prompt_text)
        return Generation(
            prompt=prompt, text=text, steps=steps, temperature=temperature,
            greedy=temperature is None, seed=seed, ended=bool(steps and steps[-1].end),
            unknown=unknown, level=self.vocab.level,
        )

    def start(self, prompt: str, top_k: int = 5) -> "Stepper":
        """Decode by hand from ``prompt``: see :class:`Stepper`."""
        return Stepper(self, prompt, top_k)

    def prompt_text(self, prompt: str) -> str:
        """The prompt as the model reads it (normalized); generated text follows it directly."""
        return self.vocab.normalize(prompt)


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
        summary = self.gen._summarize(logits, np.array([token_id]), temperature, self.top_k)
        (step,), _ = self.gen._steps([summary], self._prompt_text + self.text)
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
