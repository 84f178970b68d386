"""What every view shares: the models on offer, input checks, and how tokens and probabilities are drawn."""
import threading
from contextlib import contextmanager
from functools import lru_cache

import gradio as gr
import pandas as pd

import chargen
from chargen import stats
from chargen.decode import MAX_PROMPT_CHARS

from .labels import LABELS, i18n

LESSON_PROMPTS = ["Today ", "On Sunday ", "Moscow, ", "President ", "Little red riding hood "]
LESSON_TEMPERATURES = [0.3, 0.8, 1.0, 1.3, 1.8]
T_MIN, T_MAX, T_STEP = 0.1, 3.0, 0.05
MAX_LENGTH, MAX_TOP_K, MAX_SEED = 500, 10, 2**32 - 1
GREEDY, SAMPLED = "Greedy", "Sampled"
PAGE_EVENT = dict(api_visibility="private")  # the page's own events are not API endpoints

# A generated token's colour says how probable it was when it was drawn: cool when
# the model was sure, hot when it was a long shot. Labels are the legend.
# (Gradio draws them at half opacity: these strong colours come out as clear pastels.)
PROBABILITY_BANDS = [(0.5, "≥ 50%", "#3b82f6"), (0.2, "20–50%", "#22c55e"), (0.05, "5–20%", "#f59e0b"),
                     (0.0, "< 5%", "#ef4444")]
BAND_COLOURS = {label: colour for _, label, colour in PROBABILITY_BANDS}
BAR_COLOURS = {"chosen": "#ea580c", "other": "#4f46e5"}  # the chosen token's bar stands out
# Bars at T=1 and at T share one scale (0 to 1), so flattening and sharpening are seen.
BARS = dict(x="token", y="p", color="kind", y_lim=[0, 1], sort="-y", min_width=300, x_title=i18n("token"),
            y_title=i18n("probability"), color_title=i18n("this_step"),
            color_map={words[kind]: colour for words in LABELS.values() for kind, colour in BAR_COLOURS.items()})


# -- models --------------------------------------------------------------------------

MODELS = list(chargen.shipped_names())  # the default first; app.py adds bundle directories named on its command line
DEFAULT_MODEL = MODELS[0]
LOADING = threading.Lock()
load = lru_cache(maxsize=None)(chargen.load)


def generator(model: str) -> chargen.Generator:
    if model not in MODELS:
        raise chargen.ChargenError(f"unknown model {model!r}; choose from {', '.join(MODELS)}")
    with LOADING:  # a second caller waits for the first one's load instead of loading again
        return load(model)


def model_level(model):
    return generator(model).vocab.level


@contextmanager
def api_errors():
    """chargen's messages are written for people: API callers get them, never a traceback."""
    try:
        yield
    except chargen.ChargenError as e:
        raise gr.Error(str(e)) from None


def refuse(error, outputs=1):
    """Bad input on the page: a toast says why, and what the page shows stays as it was."""
    gr.Warning(str(error))
    return gr.skip() if outputs == 1 else [gr.skip()] * outputs


# -- checks and decoding, shared by the page and the API --------------------------------

def check_range(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise chargen.ChargenError(f"{name} must be a number from {low:,} to {high:,}, not {value!r}")


UNIT = {"char": "characters", "word": "words"}


def check_prompt(gen, prompt):
    if not isinstance(prompt, str) or not prompt.strip():
        raise chargen.ChargenError("the prompt is empty: type the start of a headline, e.g. 'Today '")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise chargen.ChargenError(f"the prompt is {len(prompt):,} characters; the limit is {MAX_PROMPT_CHARS:,}")
    if not gen.vocab.encode_prompt(prompt)[0]:
        raise chargen.ChargenError(f"the model knows none of the prompt's {UNIT[gen.vocab.level]}: try plain English letters")


def parse_temperature(value) -> float | None:
    """A temperature from the page or the API: a number in range, or None / "Greedy" for greedy."""
    if value is None or str(value).lower() == GREEDY.lower():
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise chargen.ChargenError(f"temperature must be a number or 'Greedy', not {value!r}") from None
    check_range("temperature", value, T_MIN, T_MAX)
    return value


def decode(prompt, temperature, length, decoding, seed, top_k, model, stop_at_end=True) -> chargen.Generation:
    """Check every input (the browser's limits are not enforced for API callers), then generate."""
    gen = generator(model)
    check_prompt(gen, prompt)
    if decoding not in (GREEDY, SAMPLED):
        raise chargen.ChargenError(f"decoding must be {GREEDY!r} or {SAMPLED!r}, not {decoding!r}")
    if decoding == SAMPLED:
        check_range("temperature", temperature, T_MIN, T_MAX)
    check_range("length", length, 1, MAX_LENGTH)
    check_range("top-k", top_k, 1, MAX_TOP_K)
    if seed is not None:
        check_range("seed", seed, 0, MAX_SEED)
    if not isinstance(stop_at_end, bool):
        raise chargen.ChargenError(f"stop_at_end must be true or false, not {stop_at_end!r}")
    return gen.generate(prompt, length=length, temperature=temperature, greedy=decoding == GREEDY, seed=seed, top_k=top_k,
                        stop_at_end=stop_at_end)


def comparison(prompt, temperatures, length, seed, model) -> list[chargen.Generation]:
    gen = generator(model)
    check_prompt(gen, prompt)
    if not temperatures:
        raise chargen.ChargenError("choose at least one temperature")
    check_range("length", length, 1, MAX_LENGTH)
    check_range("seed", seed, 0, MAX_SEED)
    return gen.compare(prompt, [parse_temperature(t) for t in temperatures], length=length, seed=seed, top_k=0)


def side_by_side(prompt, temperatures, length, seed, model, other=None) -> list[tuple[str, chargen.Generation]]:
    """(model, generation) rows: each temperature for ``model``, and with ``other`` (say a word model
    beside a character model) its row at the same temperature and seed right below."""
    models = [model] if other in (None, "", model) else [model, other]
    per_model = [comparison(prompt, temperatures, length, seed, m) for m in models]
    return [(m, rows[i]) for i in range(len(per_model[0])) for m, rows in zip(models, per_model)]


def row_stats(out, model) -> dict:
    """stats.summary, with the real-word share None (n/a) when there is no word list to judge by."""
    known = generator(model).known_words
    summary = stats.summary(out, known)
    if not known:
        summary["real_word_share"] = None
    return summary


def lesson_grid_rows(length, seed, model) -> dict:
    """The lesson's 5 prompts x 5 temperatures: {prompt: {"T=0.3": continuation, ...}}."""
    return {
        prompt: {out.label: out.text for out in comparison(prompt, LESSON_TEMPERATURES, length, seed, model)}
        for prompt in LESSON_PROMPTS
    }


# -- how tokens and probabilities are shown ----------------------------------------------

def shown(token: str) -> str:
    """A token as a label: spaces and the end of the headline made visible."""
    return {" ": "␣", "<eos>": "[end]"}.get(token, token)


def band(probability: float) -> str:
    return next(label for low, label, _ in PROBABILITY_BANDS if probability >= low)


def coloured(prompt_text: str, steps) -> list[tuple[str, str | None]]:
    """The prompt, then one piece per step (index i = step i) coloured by its probability at T."""
    return [(prompt_text, None), *((s.text or "⏎", band(s.prob)) for s in steps)]


def percent(p: float) -> str:
    return f"{100 * p:.1f}%"


def bar_frames(top, chosen: str | None, temperature: float | None, words: dict):
    """The top-k bars at T=1 and the same tokens at T (greedy: all on the tallest one).

    ``top`` is [(token, p at T=1, p at T)], most probable first; ``chosen`` gets its own colour.
    """
    if temperature is None:
        top = [(token, p1, float(i == 0)) for i, (token, p1, _) in enumerate(top)]
    tokens = [shown(token) for token, _, _ in top]
    kind = [words["chosen"] if token == chosen else words["other"] for token, _, _ in top]
    return (pd.DataFrame({"token": tokens, "p": [p for _, p, _ in top], "kind": kind}),
            pd.DataFrame({"token": tokens, "p": [p for _, _, p in top], "kind": kind}))


def warn_unknown(unknown, level, words):
    if unknown:
        key = "unknown_chars" if level == "char" else "unknown_words"
        gr.Warning(words[key].format(tokens=", ".join(repr(t) for t in dict.fromkeys(unknown))))


def prompt_box(elem_id, **options):
    """A prompt field, on the lesson's first prompt."""
    return gr.Textbox(LESSON_PROMPTS[0], label=i18n("prompt"), max_length=MAX_PROMPT_CHARS, elem_id=elem_id, **options)


def lesson_examples(box):
    """The lesson's prompts, one click each."""
    gr.Examples([[p] for p in LESSON_PROMPTS], [box], label=i18n("examples"), api_visibility="private")
