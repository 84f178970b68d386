"""What every view shares: the models on offer, input checks, and how tokens and probabilities are drawn."""
import dataclasses
import logging
import threading
from contextlib import contextmanager
from functools import cache, lru_cache

import gradio as gr

import chargen
from chargen import LESSON_PROMPTS, LESSON_TEMPERATURES, stats
from chargen.decode import MAX_PROMPT_CHARS

from .bars import bar_chart, scale_top
from .labels import LABELS, i18n, number, snapshot_name, snapshot_of

T_MIN, T_MAX, T_STEP = 0.1, 3.0, 0.05
MAX_LENGTH, MAX_TOP_K, MAX_SEED = 500, 10, 2**32 - 1
GREEDY, SAMPLED = "Greedy", "Sampled"
TEMPERATURE_CHOICES = [GREEDY, "0.1", "0.3", "0.5", "0.8", "1.0", "1.3", "1.5", "1.8", "2.0", "2.5", "3.0"]  # Compare's
# One comparison: at most the temperatures the page offers, and its rows (both models') times the length
# at most one model's full page (12 rows of 500 tokens, about a second of a core for words).
MAX_COMPARE_ROWS = len(TEMPERATURE_CHOICES)
MAX_COMPARE_WORK = MAX_COMPARE_ROWS * MAX_LENGTH
# The page's limits, which the core checks: every input is checked once, there, and refused with a key the
# label tables say in the reader's language.
LIMITS = chargen.Limits(length=(1, MAX_LENGTH), alternatives=(1, MAX_TOP_K), temperature=(T_MIN, T_MAX),
                        max_seed=MAX_SEED, prompt_needed=True, max_rows=MAX_COMPARE_ROWS, max_tokens=MAX_COMPARE_WORK)
# The page's own events are not API endpoints, and their handlers pass every input to the core, which answers
# bad input with a message a person can read: Gradio's own checks would answer a crafted call by name with a
# bare "Error".
PAGE_EVENT = dict(api_visibility="private", preprocess=False)
log = logging.getLogger("chargen.app")

# A generated token's colour says how probable it was when it was drawn, dark blue when the model was
# sure to vermilion for a long shot: Okabe and Ito's palette, told apart with every colour-vision deficiency.
# (Gradio draws them at half opacity: these strong colours come out as clear pastels.)
PROBABILITY_BANDS = [(0.5, "≥ 50%", "#0072b2"), (0.2, "20–50%", "#56b4e9"), (0.05, "5–20%", "#e69f00"),
                     (0.0, "< 5%", "#d55e00")]
BAND_COLOURS = {label: colour for _, label, colour in PROBABILITY_BANDS}
# -- models --------------------------------------------------------------------------

MODELS = list(chargen.shipped_names())  # the default first; app.py adds bundle directories named on its command line
DEFAULT_MODEL = MODELS[0]
LOADING = threading.Lock()
load = lru_cache(maxsize=None)(chargen.load)


def generator(model: str) -> chargen.Generator:
    """A model on offer, or one of its training snapshots by its name (``lesson@8``)."""
    if model in MODELS:
        with LOADING:  # a second caller waits for the first one's load instead of loading again
            return load(model)
    snapshot = snapshot_of(model) if isinstance(model, str) else None
    bundle = dict(snapshots(snapshot[0])).get(snapshot[1]) if snapshot and snapshot[0] in MODELS else None
    if bundle is None:
        raise Refusal("model", value=model, models=", ".join(MODELS))
    with LOADING:
        gen = load(bundle)
    gen.name = model  # its results say "lesson@8", not the snapshot's directory
    return gen


@cache
def snapshots(model: str) -> list[tuple[int, str]]:
    """(epoch, bundle directory) of the snapshots a model ships of its own training, earliest first."""
    return chargen.progress(model)


def snapshot_names(model: str) -> list[tuple[int, str]]:
    """(epoch, name) of a model's snapshots, as the page and the API name them."""
    return [(epoch, snapshot_name(model, epoch)) for epoch, _ in snapshots(model)]


def model_level(model):
    return generator(model).vocab.level


# -- refusals: one clear line, in the reader's language ------------------------------------

def say(error: chargen.ChargenError, words: dict) -> str:
    """A refusal in the reader's language: by its key (``refuse_<key>`` in the label tables) and fields,
    the core's or the page's own; an error without a key in its own English."""
    return str(error) if error.key is None else phrase(error.key, error.fields, words)


def phrase(key: str, fields: dict, words: dict) -> str:
    """The label ``refuse_<key>`` with the fields filled in, each as the reader writes it."""
    def shown(field, value):
        if field == "name":  # the quantity: a label of its own
            return words[f"name_{value}"]
        if field == "level":  # the model's tokens: characters or words
            return words[f"units_{value}"]
        if field == "value":  # what was sent, as it was sent (a number with the reader's decimal sign)
            return repr(value).replace(".", words["decimal"]) if isinstance(value, float) else repr(value)
        if isinstance(value, (int, float)):
            return number(value, words, 0 if float(value).is_integer() else 1)
        return value
    return words[f"refuse_{key}"].format(**{field: shown(field, v) for field, v in fields.items()})


class Refusal(chargen.ChargenError):
    """Input only the page sees (the model's name, a step clicked, "press Start first"), refused in the
    label tables' words: English for the API and the log."""

    def __init__(self, key, **fields):
        super().__init__(phrase(key, fields, LABELS["en"]), key, **fields)


@contextmanager
def api_errors(endpoint):
    """chargen's messages are written for people: API callers get them in English, the log one line, never a
    traceback."""
    try:
        yield
    except chargen.ChargenError as e:
        message = say(e, LABELS["en"])
        log.warning("refused /%s: %s", endpoint, message)
        raise gr.Error(message, print_exception=False) from None


def refuse(error, words, outputs=1):
    """Bad input on the page: a toast says why (Gradio's own English title is hidden, ours leads the
    message), and what the page shows stays as it was."""
    log.warning("refused on the page: %s", say(error, LABELS["en"]))
    gr.Warning(f"{words['warning']}: {say(error, words)}")
    return gr.skip() if outputs == 1 else [gr.skip()] * outputs


# -- decoding, shared by the page and the API: the core checks every input against LIMITS -------------

def decode(prompt, temperature, length, decoding, seed, alternatives, model, stop_at_end=True,
           truncation=None) -> chargen.Generation:
    """Generate; the browser's limits are not enforced for API callers, the core's LIMITS are."""
    if decoding not in (GREEDY, SAMPLED):
        raise Refusal("decoding", value=decoding)
    return generator(model).generate(prompt, length=length, temperature=temperature, greedy=decoding == GREEDY,
                                     seed=seed, alternatives=alternatives, stop_at_end=stop_at_end, limits=LIMITS,
                                     **dict(truncation or {}))  # a dict, or its items (a cache key)


def generation_record(model, out: chargen.Generation) -> dict:
    """A generation with every step, as /generate answers and the page's JSON export holds it."""
    return {
        "model": model, "prompt": out.prompt, "text": out.text, "decoding": out.decoding, "label": out.label,
        "seed": out.seed, "ended": out.ended, "unknown": out.unknown, "log_likelihood_bits": out.log_likelihood,
        "steps": [s.as_dict() for s in out.steps],
    }


def typed_seed(text):
    """The seed field: blank for a fresh seed each time (None), else the number typed (a comma as the decimal
    sign, as in every number box: 0,3 is 0.3, refused as not whole); anything else goes to the core as typed."""
    if text is None or not str(text).strip():
        return None
    typed = str(text).strip()
    for read in (int, lambda digits: float(digits.replace(",", "."))):
        try:
            return read(typed)
        except ValueError:
            pass
    return text


def temperature_choice(value):
    """A temperature as the page and the API name it: "Greedy" (or None) is greedy; the core checks the rest."""
    return None if value is None or str(value).lower() == GREEDY.lower() else value


def comparison(prompt, temperatures, length, seed, model, truncation=None, limits=LIMITS) -> list[chargen.Generation]:
    if isinstance(temperatures, list | tuple):  # anything else is the core's to refuse
        temperatures = [temperature_choice(t) for t in temperatures]
    # alternatives: the fewest the limits allow, as a comparison shows none
    return generator(model).compare(prompt, temperatures, length=length, seed=seed, alternatives=limits.alternatives[0],
                                    limits=limits, **(truncation or {}))


def side_by_side(prompt, temperatures, length, seed, model, other=None, truncation=None,
                 plain_too=False) -> list[tuple[str, chargen.Generation]]:
    """(model, generation) rows: each temperature for ``model``, and with ``other`` (say a word model
    beside a character model) its row at the same temperature and seed right below; ``plain_too`` with
    samplers on: each temperature's rows first without them (greedy once: it ignores them)."""
    models = [model] if other in (None, "", model) else [model, other]
    settings = [None, truncation] if plain_too and any(v is not None for v in (truncation or {}).values()) else [truncation]
    # One call must not hold a core for long: the runs share the page's cap, refused before any decoding.
    limits = dataclasses.replace(LIMITS, max_tokens=MAX_COMPARE_WORK // (len(models) * len(settings)))
    runs = []
    for t in settings:
        for m in models:
            runs.append((t, m, comparison(prompt, temperatures, length, seed, m, t, limits)))
            seed = runs[-1][2][0].seed  # a seed drawn (None) is drawn once, for every run
    return [(m, rows[i]) for i in range(len(runs[0][2])) for t, m, rows in runs
            if not (t is not settings[0] and rows[i].greedy)]


def in_order(rows):
    """(model, generation) rows greedy first, then by temperature, whatever order they were ticked in; a
    temperature's rows keep their models' order."""
    return sorted(rows, key=lambda row: row[1].temperature or 0.0)  # greedy (None) sorts as 0


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
    """The lesson's 5 prompts x 5 temperatures with one seed (None: one drawn, for every prompt):
    {"model": model, "seed": seed, "grid": {prompt: {"T=0.3": continuation, ...}}}."""
    grid = {}
    for prompt in LESSON_PROMPTS:
        outs = comparison(prompt, LESSON_TEMPERATURES, length, seed, model)
        grid[prompt], seed = {out.decoding: out.text for out in outs}, outs[0].seed
    return {"model": model, "seed": seed, "grid": grid}


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
    return {" ": "␣", "<eos>": "⏎"}.get(token, token)  # the end as the text shows it, in every language


def band(probability: float) -> str:
    return next(label for low, label, _ in PROBABILITY_BANDS if probability >= low)


def coloured(prompt_text: str, steps) -> list[tuple[str, str | None]]:
    """The prompt, then one piece per step (index i = step i) coloured by its probability at T."""
    return [(prompt_text, None), *((s.text or "⏎", band(s.prob)) for s in steps)]


def bar_charts(top, chosen: str | None, temperature: float | None, words: dict, drawn=None, titles=(None, None)):
    """The alternatives' bars at T=1 and at T (greedy: all on the tallest one), each with the rest of
    the vocabulary as one more bar, on one shared scale so flattening and sharpening are seen. A token
    truncation removed stays at T, pale, at its height at T = 1. With ``drawn`` (the share of draws of
    each token, then of the rest) a third chart shows the draws on the same scale. ``titles``: the charts at
    T = 1 and at T titled anew (which step; the generation's own draw, or the slider's T), where not None.

    ``top`` is [(token, p at T=1, p at T)], most probable first; ``chosen`` gets its own colour.
    """
    if temperature is None:
        top = [(token, p1, float(i == 0)) for i, (token, p1, _) in enumerate(top)]
    tokens = [shown(token) for token, _, _ in top] + [words["rest"]]
    kind = ["chosen" if token == chosen else "other" for token, _, _ in top]
    removed = [p_t == 0 < p1 for _, p1, p_t in top]
    at_t1 = [p1 for _, p1, _ in top]
    at_t = [p_t for _, _, p_t in top]
    at_t1.append(max(0.0, 1 - sum(at_t1)))
    at_t.append(max(0.0, 1 - sum(at_t)))  # what truncation kept beyond the bars
    at_t = [p1 if cut else p_t for p1, p_t, cut in zip(at_t1, at_t, [*removed, False])]
    kind_t = ["removed" if cut else k for k, cut in zip(kind, removed)]
    series = [(at_t1, kind), (at_t, kind_t)] + ([(list(drawn), ["drawn_kind"] * len(top))] if drawn is not None else [])
    top_of_scale = scale_top(*(p for p, _ in series))
    labels = [{"label": title} if title else {} for title in [*titles, None]]
    return tuple(gr.HTML(bar_chart(tokens, p, [*kinds, "rest_kind"], top_of_scale, words), visible=True, **label)
                 for (p, kinds), label in zip(series, labels))


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
    """Browser-side: a result whose top is not on the upper half of the screen (below a projector's fold, under a
    phone's controls) is scrolled to; one still to be drawn (the lesson grid) is waited for, a second at most."""
    return f"""() => {{
      const look = frames => {{
        const result = document.getElementById("{elem_id}");
        if (!result?.offsetHeight) return void (frames && requestAnimationFrame(() => look(frames - 1)));
        const top = result.getBoundingClientRect().top;
        if (top < 0 || top > innerHeight / 2) result.scrollIntoView({{block: "start"}});
      }};
      look(60);
    }}"""
