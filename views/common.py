"""What every view shares: the models on offer, input checks, and how tokens and probabilities are drawn."""
import logging
import math
import threading
from contextlib import contextmanager
from functools import lru_cache

import gradio as gr
import pandas as pd

import chargen
from chargen import LESSON_PROMPTS, LESSON_TEMPERATURES, stats
from chargen.decode import MAX_PROMPT_CHARS, temperature_rows

from .labels import LABELS, i18n, number

T_MIN, T_MAX, T_STEP = 0.1, 3.0, 0.05
MAX_LENGTH, MAX_TOP_K, MAX_SEED = 500, 10, 2**32 - 1
GREEDY, SAMPLED = "Greedy", "Sampled"
TEMPERATURE_CHOICES = [GREEDY, "0.1", "0.3", "0.5", "0.8", "1.0", "1.3", "1.5", "1.8", "2.0", "2.5", "3.0"]  # Compare's
# One comparison: at most the temperatures the page offers, and its rows (both models') times the length
# at most one model's full page (12 rows of 500 tokens, about a second of a core for words).
MAX_COMPARE_ROWS = len(TEMPERATURE_CHOICES)
MAX_COMPARE_WORK = MAX_COMPARE_ROWS * MAX_LENGTH
# The page's own events are not API endpoints, and their handlers check every input themselves, with a
# message a person can read: Gradio's own checks would answer a crafted call by name with a bare "Error".
PAGE_EVENT = dict(api_visibility="private", preprocess=False)
PHONE_WIDTH = 700  # below this the columns stack, and the page scrolls a new result into view
log = logging.getLogger("chargen.app")

# A generated token's colour says how probable it was when it was drawn, dark blue when the model was
# sure to vermilion for a long shot: Okabe and Ito's palette, told apart with every colour-vision deficiency.
# (Gradio draws them at half opacity: these strong colours come out as clear pastels.)
PROBABILITY_BANDS = [(0.5, "≥ 50%", "#0072b2"), (0.2, "20–50%", "#56b4e9"), (0.05, "5–20%", "#e69f00"),
                     (0.0, "< 5%", "#d55e00")]
BAND_COLOURS = {label: colour for _, label, colour in PROBABILITY_BANDS}
BAR_COLOURS = {"chosen": "#d55e00", "other": "#0072b2", "rest_kind": "#6b7280"}  # the chosen bar and the rest stand out
# The colours are told in the charts' titles: a legend below would not fit a projector's first screen.
BARS = dict(x="token", y="p", color="kind", y_lim=[0, 1], y_axis_format=".0%", min_width=220, height=230,
            x_title=i18n("token"), y_title=i18n("probability"), colors_in_legend=[],
            color_map={words[kind]: colour for words in LABELS.values() for kind, colour in BAR_COLOURS.items()})


# -- models --------------------------------------------------------------------------

MODELS = list(chargen.shipped_names())  # the default first; app.py adds bundle directories named on its command line
DEFAULT_MODEL = MODELS[0]
LOADING = threading.Lock()
load = lru_cache(maxsize=None)(chargen.load)


def generator(model: str) -> chargen.Generator:
    if model not in MODELS:
        raise Refusal("model", value=repr(model), models=", ".join(MODELS))
    with LOADING:  # a second caller waits for the first one's load instead of loading again
        return load(model)


def model_level(model):
    return generator(model).vocab.level


# -- refusals: one clear line, in the reader's language ------------------------------------

class Refusal(chargen.ChargenError):
    """Input the page or the API refuses: an English message for the API and the log, and by its
    key (``refuse_<key>`` in the label tables) the same message in the page's language."""

    def __init__(self, key, **fields):
        self.key, self.fields = key, fields
        super().__init__(self.say(LABELS["en"]))

    def say(self, words) -> str:
        def shown_field(name, value):
            if name in ("name", "kind"):  # label keys
                return words[value]
            if isinstance(value, (int, float)):
                return number(value, words, 0 if float(value).is_integer() else 1) if name != "value" else repr(value)
            return value
        return words[f"refuse_{self.key}"].format(**{name: shown_field(name, v) for name, v in self.fields.items()})


@contextmanager
def api_errors(endpoint):
    """chargen's messages are written for people: API callers get them, the log one line, never a traceback."""
    try:
        yield
    except chargen.ChargenError as e:
        log.warning("refused /%s: %s", endpoint, e)
        raise gr.Error(str(e), print_exception=False) from None


def refuse(error, words, outputs=1):
    """Bad input on the page: a toast says why (Gradio's own English title is hidden, ours leads the
    message), and what the page shows stays as it was."""
    message = error.say(words) if isinstance(error, Refusal) else str(error)
    log.warning("refused on the page: %s", error)
    gr.Warning(f"{words['warning']}: {message}")
    return gr.skip() if outputs == 1 else [gr.skip()] * outputs


# -- checks and decoding, shared by the page and the API --------------------------------

def check_range(name, value, low, high):
    """``name`` is the label key of the quantity (name_temperature, ...)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise Refusal("range", name=name, low=low, high=high, value=value if isinstance(value, (int, float)) else repr(value))


def check_whole(name, value, low, high):
    """A count (a length, a number of alternatives, a seed, a step): a whole number in range (5.0 from JSON is 5)."""
    check_range(name, value, low, high)
    if value != int(value):
        raise Refusal("whole", name=name, low=low, high=high, value=value)


def check_prompt(gen, prompt):
    if not isinstance(prompt, str) or not prompt.strip():
        raise Refusal("empty")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise Refusal("long", n=len(prompt), limit=MAX_PROMPT_CHARS)
    if not gen.vocab.encode_prompt(prompt)[0]:
        raise Refusal("unknown", kind=f"units_{gen.vocab.level}")


def parse_temperature(value) -> float | None:
    """A temperature from the page or the API: a number in range, or None / "Greedy" for greedy."""
    if value is None or str(value).lower() == GREEDY.lower():
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise Refusal("bad_temperature", value=repr(value)) from None
    check_range("name_temperature", value, T_MIN, T_MAX)
    return value


def decode(prompt, temperature, length, decoding, seed, alternatives, model, stop_at_end=True,
           truncation=None) -> chargen.Generation:
    """Check every input (the browser's limits are not enforced for API callers), then generate."""
    gen = generator(model)
    check_prompt(gen, prompt)
    if decoding not in (GREEDY, SAMPLED):
        raise Refusal("decoding", value=repr(decoding))
    if decoding == SAMPLED:
        check_range("name_temperature", temperature, T_MIN, T_MAX)
    check_whole("name_length", length, 1, MAX_LENGTH)
    check_whole("name_alternatives", alternatives, 1, MAX_TOP_K)
    if seed is not None:
        check_whole("name_seed", seed, 0, MAX_SEED)
    if not isinstance(stop_at_end, bool):
        raise Refusal("stop", value=repr(stop_at_end))
    return gen.generate(prompt, length=length, temperature=temperature, greedy=decoding == GREEDY, seed=seed,
                        alternatives=alternatives, stop_at_end=stop_at_end, max_length=MAX_LENGTH, **(truncation or {}))


def typed_seed(text) -> int | None:
    """The seed field: blank for a fresh seed each time, else a whole number."""
    if text is None or not str(text).strip():
        return None
    try:
        return int(str(text).strip())
    except ValueError:
        raise Refusal("whole", name="name_seed", low=0, high=MAX_SEED, value=repr(text)) from None


def compare_temperatures(temperatures) -> list:
    """A comparison's temperatures: a list (or one number), not text read character by character; at
    most as many as the page offers."""
    if isinstance(temperatures, list | tuple) and not temperatures:
        raise Refusal("no_temperature")
    return temperature_rows(temperatures, MAX_COMPARE_ROWS)


def comparison(prompt, temperatures, length, seed, model, truncation=None) -> list[chargen.Generation]:
    gen = generator(model)
    check_prompt(gen, prompt)
    temperatures = compare_temperatures(temperatures)
    check_whole("name_length", length, 1, MAX_LENGTH)
    check_whole("name_seed", seed, 0, MAX_SEED)
    return gen.compare(prompt, [parse_temperature(t) for t in temperatures], length=length, seed=seed, alternatives=0,
                       max_length=MAX_LENGTH, **(truncation or {}))


def side_by_side(prompt, temperatures, length, seed, model, other=None,
                 truncation=None) -> list[tuple[str, chargen.Generation]]:
    """(model, generation) rows: each temperature for ``model``, and with ``other`` (say a word model
    beside a character model) its row at the same temperature and seed right below."""
    models = [model] if other in (None, "", model) else [model, other]
    rows = len(compare_temperatures(temperatures)) * len(models)
    check_whole("name_length", length, 1, MAX_LENGTH)
    if rows * length > MAX_COMPARE_WORK:  # checked before any decoding: one call must not hold a core for long
        raise Refusal("work", rows=rows, length=length, limit=MAX_COMPARE_WORK)
    per_model = [comparison(prompt, temperatures, length, seed, m, truncation) for m in models]
    return [(m, rows[i]) for i in range(len(per_model[0])) for m, rows in zip(models, per_model)]


def row_stats(out, model) -> dict:
    """stats.summary, with the entropy of the distribution each row drew from (greedy: one token
    certain, 0 bits) and the real-word share None where it says nothing: no word list, or a word model
    (its words are all real)."""
    gen = generator(model)
    summary = stats.summary(out, gen.known_words)
    if out.greedy:
        summary["mean_entropy_bits"] = 0.0
    if not gen.known_words or gen.vocab.level == "word":
        summary["real_word_share"] = None
    return summary


def lesson_grid_rows(length, seed, model) -> dict:
    """The lesson's 5 prompts x 5 temperatures: {prompt: {"T=0.3": continuation, ...}}."""
    return {
        prompt: {out.decoding: out.text for out in comparison(prompt, LESSON_TEMPERATURES, length, seed, model)}
        for prompt in LESSON_PROMPTS
    }


def shared(function, size=64):
    """``function`` with its answers kept for the last ``size`` distinct inputs, for what depends on nothing
    else (seeded decoding, views by language): a class that opens a view at once computes it once. Input
    that cannot be a key (a list where a number belongs) goes to ``function`` itself, to be refused."""
    cached = lru_cache(maxsize=size)(function)

    def answer(*inputs):
        return cached(*inputs) if all(type(value) in KEY_TYPES for value in inputs) else function(*inputs)
    return answer


KEY_TYPES = (str, int, float, tuple, type(None))


# -- how tokens and probabilities are shown ----------------------------------------------

def shown(token: str) -> str:
    """A token as a label: spaces and the end of the headline made visible."""
    return {" ": "␣", "<eos>": "[end]"}.get(token, token)


def band(probability: float) -> str:
    return next(label for low, label, _ in PROBABILITY_BANDS if probability >= low)


def coloured(prompt_text: str, steps) -> list[tuple[str, str | None]]:
    """The prompt, then one piece per step (index i = step i) coloured by its probability at T."""
    return [(prompt_text, None), *((s.text or "⏎", band(s.prob)) for s in steps)]


def bar_charts(top, chosen: str | None, temperature: float | None, words: dict):
    """The alternatives' bars at T=1 and at T (greedy: all on the tallest one), each with the rest of
    the vocabulary as one more bar, on one shared scale so flattening and sharpening are seen.

    ``top`` is [(token, p at T=1, p at T)], most probable first; ``chosen`` gets its own colour.
    """
    if temperature is None:
        top = [(token, p1, float(i == 0)) for i, (token, p1, _) in enumerate(top)]
    tokens = [shown(token) for token, _, _ in top] + [words["rest"]]
    kind = [words["chosen"] if token == chosen else words["other"] for token, _, _ in top] + [words["rest_kind"]]
    at_t1 = [p1 for _, p1, _ in top]
    at_t = [p_t for _, _, p_t in top]
    at_t1.append(max(0.0, 1 - sum(at_t1)))
    at_t.append(max(0.0, 1 - sum(at_t)))
    top_of_scale = min(1.0, math.ceil(max(at_t1 + at_t) * 10 + 1e-9) / 10)  # the next 10% up
    return tuple(gr.BarPlot(pd.DataFrame({"token": tokens, "p": p, "kind": kind}), y_lim=[0, top_of_scale], sort=tokens)
                 for p in (at_t1, at_t))


def warn_unknown(unknown, level, words):
    if unknown:
        key = "unknown_chars" if level == "char" else "unknown_words"
        gr.Warning(f"{words['warning']}: " + words[key].format(tokens=", ".join(repr(t) for t in dict.fromkeys(unknown))))


def prompt_box(elem_id, **options):
    """A prompt field, on the lesson's first prompt."""
    return gr.Textbox(LESSON_PROMPTS[0], label=i18n("prompt"), max_length=MAX_PROMPT_CHARS, elem_id=elem_id, **options)


def lesson_examples(box):
    """The lesson's prompts, one click each."""
    gr.Examples([[p] for p in LESSON_PROMPTS], [box], label=i18n("examples"), api_visibility="private")


def bring_into_view(elem_id):
    """Browser-side: on a phone, scroll a result that appears below the controls into view."""
    return f"() => {{ if (innerWidth < {PHONE_WIDTH}) document.getElementById('{elem_id}')?.scrollIntoView({{block: 'start'}}); }}"
