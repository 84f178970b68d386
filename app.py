"""chargen's web demo: see what temperature does to a character-level LSTM.

    python app.py [--share] [BUNDLE_DIR ...]

Serves the shipped bundles (and any bundle directories given) on Gradio's
GRADIO_SERVER_NAME / GRADIO_SERVER_PORT, 127.0.0.1:7860 unless told otherwise.
Five views: Generate, Compare, Step through, Temperature sweep, About the model.
This file lays out components and wires them to chargen; nothing here decodes.
Named API endpoints: /generate, /compare, /lesson_grid (JSON, seeded: the same
inputs give the same result).
"""
import argparse
import ctypes
import ctypes.util
import datetime
import inspect
import math
import os
import random
import sys
import threading
import time
import types
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# Gradio's queue summarizes its event log (a pandas DataFrame of up to 10,000 events) after every
# event by default; under 30 users that was a tenth of the server's CPU. Every 100 events is plenty.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "100")
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")  # and keeps the last 1,000 events, not 10,000
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: see chargen/__init__.py
# Gradio tries `import matplotlib` around every event it runs (to pick a backend); not installed, the
# failed import searches sys.path each time: a tenth of the server's CPU while a class opens the page.
sys.modules.setdefault("matplotlib", None)  # None: "not installed", answered at once

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402

import chargen  # noqa: E402
from chargen import stats  # noqa: E402
from chargen.decode import MAX_PROMPT_CHARS  # noqa: E402


init_signature = cache(inspect.signature)


def component_signature(obj, **options):
    """inspect.signature, cached for constructors (a few dozen classes; handlers may be made per call)."""
    if not options and inspect.isfunction(obj) and obj.__name__ == "__init__":
        return init_signature(obj)
    return inspect.signature(obj, **options)


# Gradio builds every component's config afresh for each new session (gradio/state_holder.py) and
# calls inspect.signature(cls.__init__) once per component each time (Block.get_config): 10 of the
# 15 ms a new session cost this 140-component page, on the server's event loop, so 30 people arriving
# at once stalled every request for half a second. A class's signature never changes: cache it there.
gr.blocks.inspect = types.SimpleNamespace(**{**vars(inspect), "signature": component_signature})

ROOT = Path(__file__).resolve().parent
LESSON_PROMPTS = ["Today ", "On Sunday ", "Moscow, ", "President ", "Little red riding hood "]
LESSON_TEMPERATURES = [0.3, 0.8, 1.0, 1.3, 1.8]
T_MIN, T_MAX, T_STEP = 0.1, 3.0, 0.05
SWEEP_TEMPERATURES = [round(T_MIN + i * T_STEP, 2) for i in range(round((T_MAX - T_MIN) / T_STEP) + 1)]
MAX_LENGTH, MAX_TOP_K, MAX_SEED = 500, 10, 2**32 - 1
GREEDY, SAMPLED = "Greedy", "Sampled"
COMPARE_CHOICES = [GREEDY, "0.1", "0.3", "0.5", "0.8", "1.0", "1.3", "1.5", "1.8", "2.0", "2.5", "3.0"]
# One comparison: at most the temperatures the page offers, and their rows (both models') times the
# length at most one model's full page (12 rows of 500 tokens, about a second of a core for words).
MAX_COMPARE_ROWS = len(COMPARE_CHOICES)
MAX_COMPARE_WORK = MAX_COMPARE_ROWS * MAX_LENGTH
COMPARE_START = [GREEDY, *(f"{t:.1f}" for t in LESSON_TEMPERATURES)]
STREAM_SECONDS, STREAM_FRAMES = 1.0, 40  # the reveal is paced so a class sees characters arrive
# Serving a class (benchmarks/bench.py --app measures it): reveals mostly sleep, so a whole class's run at
# once, each in its own thread; what computes runs two at a time (two cores). Events waiting beyond
# MAX_QUEUE (one per student opening the page, two per Generate) are refused at once ("Queue is full").
REVEALS = int(os.environ.get("CHARGEN_REVEALS", "128"))
FRAMES_PER_SECOND = int(os.environ.get("CHARGEN_FRAMES_PER_SECOND", "100"))  # all reveals together
MAX_QUEUE = int(os.environ.get("CHARGEN_MAX_QUEUE", "1000"))

# A generated token's colour says how probable it was when it was drawn: cool when
# the model was sure, hot when it was a long shot. Labels are the legend.
# (Gradio draws them at half opacity: these strong colours come out as clear pastels.)
PROBABILITY_BANDS = [(0.5, "≥ 50%", "#3b82f6"), (0.2, "20–50%", "#22c55e"), (0.05, "5–20%", "#f59e0b"),
                     (0.0, "< 5%", "#ef4444")]
BAND_COLOURS = {label: colour for _, label, colour in PROBABILITY_BANDS}
BAR_COLOURS = {"chosen": "#ea580c", "other": "#4f46e5"}  # the chosen token's bar stands out

LABELS = {
    "en": {
        "title": "# chargen: what temperature does to generated text",
        "intro": "A small recurrent network trained on news headlines writes one character at a time. "
        "**Temperature T** reshapes its probabilities before each draw: low T sharpens them (safe, repetitive text), "
        "high T flattens them (surprising, then garbled text). **Greedy** always takes the most probable character.",
        "model": "Model",
        "tab_generate": "Generate", "tab_compare": "Compare", "tab_step": "Step through",
        "tab_sweep": "Temperature sweep", "tab_about": "About the model",
        "prompt": "Prompt", "prompt_placeholder": "The start of a headline, e.g. Today ",
        "examples": "The lesson's prompts",
        "decoding": "Decoding", "greedy": "Greedy", "sampled": "Sampled",
        "temperature": "Temperature", "temperature_info": "below 1 sharpens, above 1 flattens; inactive under Greedy",
        "length": "Length", "length_info": "characters (words for a word model); a headline may end sooner: ⏎",
        "seed": "Seed", "dice": "⚄ New seed", "top_k": "Top-k alternatives",
        "generate": "Generate",
        "generated": "Generated text, coloured by the probability of each chosen character (click one)",
        "step": "Step", "step_info": "the step the bars show; click a character to pick it",
        "trace": "Every step",
        "compare_intro": "One prompt, several temperatures, the same seed: the same random draws, only T differs.",
        "temperatures": "Temperatures", "compare": "Compare",
        "compare_with": "Side by side with", "compare_with_info": "a second model (characters beside words): rows alternate, same T and seed",
        "no_second_model": "no second model", "lesson_grid": "Lesson grid: 5 prompts × 5 temperatures",
        "comparison": "Comparison", "grid": "Lesson grid",
        "step_intro": "The model proposes its top-k next characters: click one, let it sample, or take the greedy one. "
        "The prompt is read once; each choice feeds one character and carries the network's state forward.",
        "start": "Start", "sample": "⚄ Sample at T", "take_greedy": "Take the greedy one", "undo": "↶ Undo",
        "text_so_far": "Text so far", "proposals": "Proposals (probability at T)",
        "sweep_intro": "How the next-character distribution after the prompt and its entropy change as T goes from 0.1 to 3.",
        "show": "Show",
        "about": """### What temperature does
At every step the model gives each possible next character a probability. Before drawing one,
chargen raises every probability to the power 1/T and rescales them so they sum to 1:

- **T below 1 sharpens**: likely characters get likelier, rare ones all but vanish. The text is safe but repeats itself.
- **T = 1** draws from the model's own probabilities.
- **T above 1 flattens**: rare characters get a real chance. The text gets surprising, then garbled.

**Greedy** decoding always takes the most probable character (the limit T → 0): no randomness,
the same text every time, and often a loop.

The **seed** fixes the random draws: the same prompt, settings and seed give the same text.
**Entropy** (bits) measures how spread out a distribution is: 0 bits means certain.
**Bits per character** on titles the model never saw measures how well it predicts: lower is better.""",
        # Text the server writes into the page.
        "char": "character", "word": "word", "p_t": "p at T", "p_t1": "p at T=1", "rank": "rank",
        "entropy": "entropy (bits)", "alternatives": "top-k: p at T=1 → p at T (%)",
        "bars_t1": "At T = 1: the model's own probabilities",
        "bars_t": "At the chosen T: what was drawn from (greedy: all on the tallest bar)",
        "probability": "probability", "token": "next character or word", "this_step": "this step", "bits": "bits",
        "chosen": "chosen", "other": "other",
        "decoding_label": "decoding", "text": "text", "mean_entropy": "entropy (bits/step)",
        "log_likelihood": "log-likelihood (bits)", "real_words": "real words", "repeats": "repeated 4-grams",
        "not_available": "n/a",
        "unknown_chars": "The model does not know {tokens}: left out of the prompt.",
        "unknown_words": "The model does not know {tokens}: read as an unknown word.",
        "step_status": "Step {n}. The prompt was read once; each choice fed one token and carried the state forward.",
        "step_ended": " The headline has ended: undo to go on.", "start_first": "Press Start first.",
        "sweep_probs": "Probability of the top-k next characters", "sweep_entropy": "Entropy of the whole distribution (bits)",
        "card_architecture": "Architecture", "card_units": "{cell}, {layers} layer(s) × {units} units, {input}",
        "card_one_hot": "one-hot input", "card_embedding": "embedding of {n}",
        "card_vocabulary": "Vocabulary", "card_tokens": "{level} level, {n} tokens",
        "card_parameters": "Parameters", "card_data": "Training data", "card_rows": "{n} training rows",
        "card_epochs": "Epochs", "card_time": "Training time", "card_minutes": "{m} min {s} s",
        "card_val": "Bits per character, validation", "card_test": "Bits per character, test",
        "full_card": "The whole card (card.json)",
    },
    "nl": {
        "title": "# chargen: wat temperatuur doet met gegenereerde tekst",
        "intro": "Een klein recurrent netwerk, getraind op nieuwskoppen, schrijft één teken tegelijk. "
        "**Temperatuur T** vervormt zijn kansen vóór elke trekking: een lage T maakt ze scherper (veilige, herhalende tekst), "
        "een hoge T maakt ze vlakker (verrassende, daarna onzinnige tekst). **Gulzig** neemt altijd het waarschijnlijkste teken.",
        "model": "Model",
        "tab_generate": "Genereren", "tab_compare": "Vergelijken", "tab_step": "Stap voor stap",
        "tab_sweep": "Temperatuurverloop", "tab_about": "Over het model",
        "prompt": "Begintekst", "prompt_placeholder": "Het begin van een kop, bv. Today ",
        "examples": "De begintekst uit de les",
        "decoding": "Decoderen", "greedy": "Gulzig (greedy)", "sampled": "Getrokken (sampling)",
        "temperature": "Temperatuur", "temperature_info": "onder 1 scherper, boven 1 vlakker; uit bij Gulzig",
        "length": "Lengte", "length_info": "tekens (woorden bij een woordmodel); een kop kan eerder eindigen: ⏎",
        "seed": "Seed", "dice": "⚄ Nieuwe seed", "top_k": "Top-k alternatieven",
        "generate": "Genereer",
        "generated": "Gegenereerde tekst, gekleurd naar de kans van elk gekozen teken (klik erop)",
        "step": "Stap", "step_info": "de stap die de staven tonen; klik op een teken om hem te kiezen",
        "trace": "Elke stap",
        "compare_intro": "Eén begintekst, meerdere temperaturen, dezelfde seed: dezelfde toevalstrekkingen, alleen T verschilt.",
        "temperatures": "Temperaturen", "compare": "Vergelijk",
        "compare_with": "Naast", "compare_with_info": "een tweede model (tekens naast woorden): de rijen wisselen af, zelfde T en seed",
        "no_second_model": "geen tweede model", "lesson_grid": "Lesrooster: 5 beginteksten × 5 temperaturen",
        "comparison": "Vergelijking", "grid": "Lesrooster",
        "step_intro": "Het model stelt zijn top-k volgende tekens voor: klik er een, laat het trekken, of neem de gulzige keuze. "
        "De begintekst wordt één keer gelezen; elke keuze voert één teken in en neemt de toestand van het netwerk mee.",
        "start": "Begin", "sample": "⚄ Trek bij T", "take_greedy": "Neem de gulzige keuze", "undo": "↶ Ongedaan maken",
        "text_so_far": "Tekst tot nu toe", "proposals": "Voorstellen (kans bij T)",
        "sweep_intro": "Hoe de kansverdeling van het volgende teken en haar entropie veranderen als T van 0,1 naar 3 gaat.",
        "show": "Toon",
        "about": """### Wat temperatuur doet
Bij elke stap geeft het model elk mogelijk volgend teken een kans. Vóór het trekken verheft chargen
elke kans tot de macht 1/T en schaalt ze zodat ze samen 1 zijn:

- **T onder 1 maakt scherper**: waarschijnlijke tekens worden waarschijnlijker, zeldzame verdwijnen bijna. De tekst is veilig maar herhaalt zich.
- **T = 1** trekt uit de eigen kansen van het model.
- **T boven 1 maakt vlakker**: zeldzame tekens krijgen een echte kans. De tekst wordt verrassend, daarna onzin.

**Gulzig** (greedy) decoderen neemt altijd het waarschijnlijkste teken (de limiet T → 0): geen toeval,
elke keer dezelfde tekst, en vaak een lus.

De **seed** legt de toevalstrekkingen vast: dezelfde begintekst, instellingen en seed geven dezelfde tekst.
**Entropie** (bits) meet hoe verspreid een verdeling is: 0 bits betekent zeker.
**Bits per teken** op koppen die het model nooit zag meet hoe goed het voorspelt: lager is beter.""",
        "char": "teken", "word": "woord", "p_t": "kans bij T", "p_t1": "kans bij T=1", "rank": "rang",
        "entropy": "entropie (bits)", "alternatives": "top-k: kans bij T=1 → bij T (%)",
        "bars_t1": "Bij T = 1: de eigen kansen van het model",
        "bars_t": "Bij de gekozen T: waaruit getrokken werd (gulzig: alles op de hoogste staaf)",
        "probability": "kans", "token": "volgend teken of woord", "this_step": "deze stap", "bits": "bits",
        "chosen": "gekozen", "other": "ander",
        "decoding_label": "decoderen", "text": "tekst", "mean_entropy": "entropie (bits/stap)",
        "log_likelihood": "log-likelihood (bits)", "real_words": "echte woorden", "repeats": "herhaalde 4-grammen",
        "not_available": "n.v.t.",
        "unknown_chars": "Het model kent {tokens} niet: weggelaten uit de begintekst.",
        "unknown_words": "Het model kent {tokens} niet: gelezen als onbekend woord.",
        "step_status": "Stap {n}. De begintekst werd één keer gelezen; elke keuze voerde één token in en nam de toestand mee.",
        "step_ended": " De kop is afgelopen: maak een stap ongedaan om door te gaan.", "start_first": "Druk eerst op Begin.",
        "sweep_probs": "Kans op de top-k volgende tekens", "sweep_entropy": "Entropie van de hele verdeling (bits)",
        "card_architecture": "Architectuur", "card_units": "{cell}, {layers} laag/lagen × {units} eenheden, {input}",
        "card_one_hot": "one-hot invoer", "card_embedding": "embedding van {n}",
        "card_vocabulary": "Vocabulaire", "card_tokens": "niveau {level}, {n} tokens",
        "card_parameters": "Parameters", "card_data": "Trainingsdata", "card_rows": "{n} trainingsregels",
        "card_epochs": "Epochs", "card_time": "Trainingstijd", "card_minutes": "{m} min {s} s",
        "card_val": "Bits per teken, validatie", "card_test": "Bits per teken, test",
        "full_card": "De hele kaart (card.json)",
    },
}
i18n = gr.I18n(**LABELS)  # the page's own labels, translated in the browser from its language


def language(request: gr.Request | None) -> str:
    """The browser's first language we have labels for ("en" otherwise)."""
    accepted = request.headers.get("accept-language", "") if request else ""
    for tag in accepted.split(","):
        code = tag.split(";")[0].strip()[:2].lower()
        if code in LABELS:
            return code
    return "en"


def labels(request: gr.Request | None) -> dict:
    """The labels for text the server writes, in the browser's language."""
    return LABELS[language(request)]


# -- models --------------------------------------------------------------------------

def model_choices(extra_bundles) -> list[str]:
    """The shipped bundles, the default first, then bundle directories named on the command line."""
    return [*chargen.shipped_names(), *extra_bundles]


def parse_args(argv):
    parser = argparse.ArgumentParser(description="chargen's web demo (Gradio's environment variables set host and port)")
    parser.add_argument("bundles", nargs="*", help="bundle directories to offer beside the shipped ones")
    parser.add_argument("--share", action="store_true", help="also serve through a public Gradio link")
    args = parser.parse_args(argv)
    for bundle in args.bundles:
        if not Path(bundle).is_dir():
            parser.error(f"{bundle}: not a bundle directory")
    return args


ARGS = parse_args(sys.argv[1:] if __name__ == "__main__" else [])
MODELS = model_choices(ARGS.bundles)
DEFAULT_MODEL = MODELS[0]


LOADING = threading.Lock()
load = lru_cache(maxsize=None)(chargen.load)


def generator(model: str) -> chargen.Generator:
    if model not in MODELS:
        raise chargen.ChargenError(f"unknown model {model!r}; choose from {', '.join(MODELS)}")
    with LOADING:  # a second caller waits for the first one's load instead of loading again
        return load(model)


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


def check_whole(name, value, low, high):
    """A count (a length, a top-k, a seed): a whole number in range (5.0 from JSON is 5)."""
    check_range(name, value, low, high)
    if value != int(value):
        raise chargen.ChargenError(f"{name} must be a whole number from {low:,} to {high:,}, not {value!r}")


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
    check_whole("length", length, 1, MAX_LENGTH)
    check_whole("top-k", top_k, 1, MAX_TOP_K)
    if seed is not None:
        check_whole("seed", seed, 0, MAX_SEED)
    if not isinstance(stop_at_end, bool):
        raise chargen.ChargenError(f"stop_at_end must be true or false, not {stop_at_end!r}")
    return gen.generate(prompt, length=length, temperature=temperature, greedy=decoding == GREEDY, seed=seed, top_k=top_k,
                        stop_at_end=stop_at_end)


def temperature_list(temperatures) -> tuple:
    """The temperatures of a comparison: a list of them (numbers, or "Greedy" / None), or one number;
    at most as many as the page offers."""
    if isinstance(temperatures, (int, float)) and not isinstance(temperatures, bool):
        temperatures = [temperatures]
    if not isinstance(temperatures, (list, tuple)):
        raise chargen.ChargenError(f"temperatures must be a list (like [0.5, 1.0, 'Greedy']) or one number, "
                                   f"not {temperatures!r}")
    if not temperatures:
        raise chargen.ChargenError("choose at least one temperature")
    if len(temperatures) > MAX_COMPARE_ROWS:
        raise chargen.ChargenError(f"{len(temperatures):,} temperatures; one comparison takes at most {MAX_COMPARE_ROWS}")
    return tuple(temperatures)


def comparison(prompt, temperatures, length, seed, model) -> list[chargen.Generation]:
    gen = generator(model)
    check_prompt(gen, prompt)
    temperatures = temperature_list(temperatures)
    check_whole("length", length, 1, MAX_LENGTH)
    check_whole("seed", seed, 0, MAX_SEED)
    return gen.compare(prompt, [parse_temperature(t) for t in temperatures], length=length, seed=seed, top_k=0)


def side_by_side(prompt, temperatures, length, seed, model, other=None) -> list[tuple[str, chargen.Generation]]:
    """(model, generation) rows: each temperature for ``model``, and with ``other`` (say a word model
    beside a character model) its row at the same temperature and seed right below."""
    models = [model] if other in (None, "", model) else [model, other]
    rows = len(temperature_list(temperatures)) * len(models)
    check_whole("length", length, 1, MAX_LENGTH)
    if rows * length > MAX_COMPARE_WORK:  # checked before any decoding: one call must not hold a core for long
        raise chargen.ChargenError(f"{rows} rows of {length:,} tokens is more than one comparison may take "
                                   f"({MAX_COMPARE_WORK:,} tokens in all): choose fewer temperatures or a shorter length")
    per_model = [comparison(prompt, temperatures, length, seed, m) for m in models]
    return [(m, rows[i]) for i in range(len(per_model[0])) for m, rows in zip(models, per_model)]


def row_stats(out, model) -> dict:
    """stats.summary, with the real-word share None (n/a) when there is no word list to judge by."""
    known = generator(model).known_words
    summary = stats.summary(out, known)
    if not known:
        summary["real_word_share"] = None
    return summary


# -- views: what the page shows --------------------------------------------------------

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


def trace_table(out, level: str, words: dict) -> pd.DataFrame:
    return pd.DataFrame(
        [
            [i, shown(s.token), percent(s.prob), percent(s.prob_t1), s.rank, round(s.entropy, 2),
             " · ".join(f"{shown(t)} {100 * a:.0f}→{100 * b:.0f}" for t, a, b in s.top)]
            for i, s in enumerate(out.steps, 1)
        ],
        columns=[words[c] for c in ("step", level, "p_t", "p_t1", "rank", "entropy", "alternatives")],
    )


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


def step_charts(out, step_number, words):
    """Bars for one step of a generation; the chosen token is added when it is outside the top-k."""
    step = out.steps[min(max(int(step_number), 1), len(out.steps)) - 1]
    top = list(step.top)
    if step.token not in [t for t, _, _ in top]:
        top.append((step.token, step.prob_t1, step.prob))
    return bar_frames(top, step.token, out.temperature, words)


def warn_unknown(unknown, level, words):
    if unknown:
        key = "unknown_chars" if level == "char" else "unknown_words"
        gr.Warning(words[key].format(tokens=", ".join(repr(t) for t in dict.fromkeys(unknown))))


def model_level(model):
    return generator(model).vocab.level


# -- page handlers -----------------------------------------------------------------------

def shared(function, size=64):
    """``function`` with its answers kept for the last ``size`` distinct inputs, for what depends on nothing
    else (seeded decoding, labels by language): a class that opens the page at once computes each view once.
    Input that cannot be a key (a list where a number belongs) goes to ``function`` itself, to be refused."""
    cached = lru_cache(maxsize=size)(function)

    def answer(*inputs):
        return cached(*inputs) if all(type(value) in KEY_TYPES for value in inputs) else function(*inputs)
    return answer


KEY_TYPES = (str, int, float, tuple, type(None))
page_decode = shared(decode)


def decode_for_page(prompt, temperature, length, decoding, seed, top_k, model) -> chargen.Generation:
    """Seeded, the same inputs give the same text: shared. No seed draws a fresh one each time."""
    return (decode if seed is None else page_decode)(prompt, temperature, length, decoding, seed, top_k, model)


def generate_page(prompt, temperature, length, decoding, seed, top_k, model, request: gr.Request):
    """Generate once, then reveal the coloured text in paced frames; show_generation draws the rest.
    Each frame updates only the text: every other output of a frame would be rebuilt on the server."""
    try:
        out = decode_for_page(prompt, temperature, length, decoding, seed, top_k, model)
    except chargen.ChargenError as error:
        yield refuse(error, 2)
        return
    warn_unknown(out.unknown, out.level, labels(request))
    pieces = coloured(generator(model).prompt_text(prompt), out.steps)
    with reveal_pace.frames(len(out.steps)) as frames:
        for frame in range(1, frames):
            yield pieces[: 1 + math.ceil(len(out.steps) * frame / frames)], gr.skip()
            time.sleep(STREAM_SECONDS / frames)
        yield pieces, out


class RevealPace:
    """How many frames a reveal gets: STREAM_FRAMES when it runs alone, fewer when many run at once, so
    that the server sends at most FRAMES_PER_SECOND in all (each is a message to build and send); a
    whole class pressing Generate together gets its texts whole, at once."""

    def __init__(self):
        self.running, self.lock = 0, threading.Lock()

    @contextmanager
    def frames(self, steps):
        with self.lock:
            self.running += 1
            running = self.running
        try:
            yield max(1, min(steps, STREAM_FRAMES, int(FRAMES_PER_SECOND * STREAM_SECONDS / running)))
        finally:
            with self.lock:
                self.running -= 1


reveal_pace = RevealPace()


def generation_opening(prompt, temperature, length, decoding, seed, top_k, model, request: gr.Request):
    """The page opens on a generation, shown whole (the reveal is for a press of the button)."""
    try:
        out = decode_for_page(prompt, temperature, length, decoding, seed, top_k, model)
    except chargen.ChargenError as error:
        return refuse(error, 2 + len(generation_details))
    pieces = coloured(generator(model).prompt_text(prompt), out.steps)
    return [pieces, out, *show_generation(out, request)]


def show_generation(out, request: gr.Request):
    """After the text: the seed it used, every step, and the bars of step 1."""
    if out is None or not out.steps:
        return [gr.skip()] * len(generation_details)
    words = labels(request)
    bars_at_t1, bars_at_t = step_charts(out, 1, words)
    return [out.seed, trace_table(out, out.level, words), gr.Slider(maximum=len(out.steps), value=1), bars_at_t1,
            bars_at_t]


def select_step(evt: gr.SelectData):
    """A click on a generated piece picks its step (piece 0 is the prompt)."""
    if isinstance(evt.index, bool) or not isinstance(evt.index, int) or not 0 <= evt.index <= MAX_LENGTH + 1:
        return refuse(f"a step is a whole number from 1 to {MAX_LENGTH + 1:,}, not {evt.index!r}")
    return evt.index or 1


def show_step(out, step_number, request: gr.Request):
    if out is None or not out.steps:
        return gr.skip(), gr.skip()
    try:
        check_whole("step", step_number, 1, len(out.steps))
    except chargen.ChargenError as error:
        return refuse(error, 2)
    return step_charts(out, step_number, labels(request))


def compare_page(prompt, temperatures, length, seed, model, other, request: gr.Request):
    words = labels(request)
    try:
        table, unknown = comparison_view(prompt, temperature_list(temperatures), length, seed, model, other,
                                         language(request))
    except chargen.ChargenError as error:
        return refuse(error)
    for name, tokens in unknown:  # once per model: what it lacks depends only on the prompt
        warn_unknown(tokens, model_level(name), words)
    return table


def comparison_table(prompt, temperatures, length, seed, model, other, language) -> tuple[pd.DataFrame, tuple]:
    """The comparison as the page shows it, and what each model did not know of the prompt."""
    rows = side_by_side(prompt, temperatures, length, seed, model, other)
    words = LABELS[language]

    def share(value):
        return words["not_available"] if value is None else f"{100 * value:.0f}%"

    table = []
    for name, out in rows:
        summary = row_stats(out, name)
        table.append([name, out.label, out.prompt + out.text, f"{summary['mean_entropy_bits']:.2f}",
                      f"{summary['log_likelihood_bits']:.1f}", share(summary["real_word_share"]),
                      share(summary["repeated_ngram_rate"])])
    columns = ["model", "decoding_label", "text", "mean_entropy", "log_likelihood", "real_words", "repeats"]
    unknown = tuple((name, tuple(out.unknown)) for name, out in dict(rows).items())
    return pd.DataFrame(table, columns=[words[c] for c in columns]), unknown


comparison_view = shared(comparison_table)


def lesson_grid_rows(length, seed, model) -> dict:
    """The lesson's 5 prompts x 5 temperatures: {prompt: {"T=0.3": continuation, ...}}."""
    return {
        prompt: {out.label: out.text for out in comparison(prompt, LESSON_TEMPERATURES, length, seed, model)}
        for prompt in LESSON_PROMPTS
    }


def lesson_grid_page(length, seed, model, request: gr.Request):
    try:
        grid = lesson_grid_rows(length, seed, model)
    except chargen.ChargenError as error:
        return refuse(error)
    table = pd.DataFrame.from_dict(grid, orient="index").rename_axis(labels(request)["prompt"]).reset_index()
    return gr.Dataframe(table, visible=True)


def stepper_view(stepper, temperature, top_k, words):
    """The text so far, one button per proposal, their bars at T=1 and at T, and where we are."""
    proposals = [] if stepper.ended else stepper.proposals(temperature, k=top_k)
    buttons = [gr.Button(f"{shown(token)}  {percent(p_t)}", visible=True) for token, _, _, p_t in proposals]
    buttons += [gr.Button(visible=False)] * (MAX_TOP_K - len(buttons))
    charts = bar_frames([(token, p1, p_t) for token, _, p1, p_t in proposals], None, temperature, words)
    status = words["step_status"].format(n=len(stepper.steps)) + (words["step_ended"] if stepper.ended else "")
    text = coloured(stepper.gen.prompt_text(stepper.prompt), stepper.steps)
    return [stepper, text, *buttons, *charts, status]


def step_page(action, stepper, prompt, temperature, seed, top_k, model, request: gr.Request):
    """Start (or open the tab), choose proposal i, sample, take the greedy one, undo, or just redraw (T or k changed)."""
    words = labels(request)
    try:
        check_whole("top-k", top_k, 1, MAX_TOP_K)
        temperature = parse_temperature(temperature)
        if action == "open" and stepper is not None:  # back on the tab: it shows where the student was
            return [gr.skip()] * len(step_outputs)
        if action in ("start", "open"):
            gen = generator(model)
            check_prompt(gen, prompt)
            stepper = gen.start(prompt, top_k=MAX_TOP_K)
            warn_unknown(stepper.unknown, gen.vocab.level, words)
        elif stepper is None:
            raise chargen.ChargenError(words["start_first"])
        elif action == "sample":
            check_whole("seed", seed, 0, MAX_SEED)
            stepper.sample(temperature, seed=seed)
        elif action == "greedy":
            stepper.greedy()
        elif action == "undo":
            stepper.undo()
        elif isinstance(action, int):  # the button of proposal i
            stepper.choose(stepper.proposals(temperature, k=top_k)[action][1], temperature=temperature)
    except chargen.ChargenError as error:
        return refuse(error, len(step_outputs))
    return stepper_view(stepper, temperature, top_k, words)


def sweep_page(prompt, top_k, model):
    try:
        gen = generator(model)
        check_prompt(gen, prompt)
        check_whole("top-k", top_k, 1, MAX_TOP_K)
        return sweep_frames(prompt, top_k, model)
    except chargen.ChargenError as error:
        return refuse(error, 2)


@lru_cache(maxsize=64)
def sweep_frames(prompt, top_k, model):
    """The sweep's two charts: they depend on the inputs alone, so every student opening the page shares them."""
    stepper = generator(model).start(prompt, top_k=top_k)  # reads the prompt; nothing is generated
    probabilities = stepper.probabilities()
    top = [(shown(token), token_id) for token, token_id, _, _ in stepper.proposals(1.0)]
    sweep = stats.temperature_sweep(probabilities, SWEEP_TEMPERATURES)
    return (
        pd.DataFrame([(t, token, float(p_t[token_id])) for t, p_t, _ in sweep for token, token_id in top],
                     columns=["T", "token", "p"]),
        pd.DataFrame([(t, bits) for t, _, bits in sweep], columns=["T", "bits"]),
    )


def card_page(model, request: gr.Request):
    try:
        generator(model)
    except chargen.ChargenError as error:
        return refuse(error, 2)
    return card_view(model, language(request))


@lru_cache(maxsize=16)
def card_view(model, language):
    """The bundle's card in plain words, and the whole card as it is on disk."""
    gen, words = generator(model), LABELS[language]
    card, arch, data = gen.card, gen.card["architecture"], gen.card.get("data", {})
    input_layer = words["card_embedding"].format(n=arch["embedding"]) if arch.get("embedding") else words["card_one_hot"]
    rows = [
        (words["card_architecture"], words["card_units"].format(
            cell=arch["cell"].upper(), layers=arch["layers"], units=arch["units"], input=input_layer)),
        (words["card_vocabulary"], words["card_tokens"].format(level=gen.vocab.level, n=len(gen.vocab))),
    ]
    if "parameters" in card:
        rows.append((words["card_parameters"], f"{card['parameters']:,}"))
    if "source" in data:
        details = [" + ".join(data["fields"])] if data.get("fields") else []
        if "train_rows" in data:
            details.append(words["card_rows"].format(n=f"{data['train_rows']:,}"))
        rows.append((words["card_data"], ", ".join([Path(data["source"]).name, *details])))
    if "epochs" in card:
        rows.append((words["card_epochs"], str(card["epochs"])))
    if "training_seconds" in card:
        minutes, seconds = divmod(round(card["training_seconds"]), 60)
        rows.append((words["card_time"], words["card_minutes"].format(m=minutes, s=seconds)))
    for key, label in (("val_bpc", "card_val"), ("test_bpc", "card_test")):
        if key in card:
            rows.append((words[label], f"{card[key]:.3f}"))
    facts = "\n".join(f"- **{name}**: {value}" for name, value in rows)
    return f"### {gen.name}\n\n{facts}", card


def new_seed():
    return random.randrange(10_000)


def temperature_control(decoding):
    return gr.Slider(interactive=decoding == SAMPLED)


# -- API: JSON results, seeded, the same helpers as the page -------------------------------

def generate(
    prompt: str, temperature: float = 1.0, length: int = 100, decoding: str = SAMPLED,
    seed: int | None = 0, top_k: int = 5, model: str = DEFAULT_MODEL, stop_at_end: bool = True,
) -> dict:
    """Continue `prompt`. Returns the text (without the prompt) and every step: token, probability
    at T and at T=1, rank, entropy (bits) and the top-k [token, p at T=1, p at T]. decoding is
    "Greedy" or "Sampled"; seed None draws one (returned); stop_at_end=False goes on past the end
    of the headline to the full length. The same inputs and seed give the same result."""
    with api_errors():
        out = decode(prompt, temperature, length, decoding, seed, top_k, model, stop_at_end)
    return {
        "model": model, "prompt": out.prompt, "text": out.text, "decoding": out.label, "seed": out.seed,
        "ended": out.ended, "unknown": out.unknown, "log_likelihood_bits": out.log_likelihood,
        "steps": [s.as_dict() for s in out.steps],
    }


def compare(
    prompt: str, temperatures: list[float | str | None] = [GREEDY, *LESSON_TEMPERATURES],  # noqa: B006 (never mutated)
    length: int = 100, seed: int = 0, model: str = DEFAULT_MODEL, with_model: str | None = None,
) -> dict:
    """One generation per temperature ("Greedy" or null for greedy), all with the same seed; per row the
    model, the text and its statistics (entropy per step, log-likelihood, real-word share or null,
    repeated 4-grams). with_model: a second model whose row follows each of model's rows."""
    with api_errors():
        rows = side_by_side(prompt, temperatures, length, seed, model, with_model)
        return {"model": model, "with_model": with_model, "prompt": prompt, "seed": seed,
                "rows": [{"model": name, **row_stats(out, name), "text": out.text} for name, out in rows]}


def lesson_grid(length: int = 100, seed: int = 0, model: str = DEFAULT_MODEL) -> dict:
    """The lesson's 5 prompts x 5 temperatures (0.3, 0.8, 1.0, 1.3, 1.8) with one seed: {prompt: {"T=0.3": text, ...}}."""
    with api_errors():
        return lesson_grid_rows(length, seed, model)


# -- the page ----------------------------------------------------------------------------------

# Fixed widths: on a phone the table scrolls sideways instead of squeezing its headers into columns of letters.
COMPARISON_WIDTHS = ["110px", "100px", "480px", "130px", "130px", "110px", "130px"]
# Bars at T=1 and at T share one scale (0 to 1), so flattening and sharpening are seen.
BARS = dict(x="token", y="p", color="kind", y_lim=[0, 1], sort="-y", min_width=300, x_title=i18n("token"),
            y_title=i18n("probability"), color_title=i18n("this_step"),
            color_map={words[kind]: colour for words in LABELS.values() for kind, colour in BAR_COLOURS.items()})

with gr.Blocks(title="chargen: temperature") as demo:
    with gr.Row(equal_height=True):
        with gr.Column(scale=3):
            gr.Markdown(i18n("title"))
        model_box = gr.Dropdown(MODELS, value=DEFAULT_MODEL, label=i18n("model"), scale=1, elem_id="model")
    gr.Markdown(i18n("intro"), elem_classes="intro")

    with gr.Tabs():
        with gr.Tab(i18n("tab_generate"), id="generate"):
            with gr.Row():
                with gr.Column(scale=3, min_width=300):
                    prompt_box = gr.Textbox(LESSON_PROMPTS[0], label=i18n("prompt"), placeholder=i18n("prompt_placeholder"),
                                            max_length=MAX_PROMPT_CHARS, elem_id="generate-prompt")
                    gr.Examples([[p] for p in LESSON_PROMPTS], [prompt_box], label=i18n("examples"), api_visibility="private")
                    generate_button = gr.Button(i18n("generate"), variant="primary", elem_id="generate-button")
                with gr.Column(scale=2, min_width=300):
                    decoding_box = gr.Radio([(i18n("greedy"), GREEDY), (i18n("sampled"), SAMPLED)], value=SAMPLED,
                                            label=i18n("decoding"), elem_id="decoding")
                    temperature_box = gr.Slider(T_MIN, T_MAX, 1.0, step=T_STEP, label=i18n("temperature"),
                                                info=i18n("temperature_info"), elem_id="temperature")
                    length_box = gr.Slider(1, MAX_LENGTH, 100, step=1, label=i18n("length"), info=i18n("length_info"),
                                           elem_id="length")
                    with gr.Row(equal_height=True):
                        seed_box = gr.Number(0, label=i18n("seed"), precision=0, minimum=0, maximum=MAX_SEED, elem_id="seed")
                        dice_button = gr.Button(i18n("dice"), elem_id="dice")
                    top_k_box = gr.Slider(1, MAX_TOP_K, 5, step=1, label=i18n("top_k"), elem_id="top-k")
            generated = gr.HighlightedText(label=i18n("generated"), color_map=BAND_COLOURS, show_legend=True,
                                           show_inline_category=False, elem_id="generated")
            step_slider = gr.Slider(1, 100, 1, step=1, label=i18n("step"), info=i18n("step_info"), elem_id="step")
            with gr.Row():
                bars_t1 = gr.BarPlot(label=i18n("bars_t1"), elem_id="bars-t1", **BARS)
                bars_t = gr.BarPlot(label=i18n("bars_t"), elem_id="bars-t", **BARS)
            trace = gr.Dataframe(label=i18n("trace"), interactive=False, wrap=True, max_height=420, elem_id="trace")
            generation = gr.State()

        with gr.Tab(i18n("tab_compare"), id="compare") as compare_tab:
            gr.Markdown(i18n("compare_intro"))
            with gr.Row():
                with gr.Column(scale=3, min_width=300):
                    compare_prompt = gr.Textbox(LESSON_PROMPTS[0], label=i18n("prompt"), max_length=MAX_PROMPT_CHARS,
                                                elem_id="compare-prompt")
                    gr.Examples([[p] for p in LESSON_PROMPTS], [compare_prompt], label=i18n("examples"), api_visibility="private")
                    temperatures_box = gr.CheckboxGroup([(i18n("greedy"), GREEDY), *COMPARE_CHOICES[1:]], value=COMPARE_START,
                                                        label=i18n("temperatures"), elem_id="temperatures")
                with gr.Column(scale=2, min_width=300):
                    compare_length = gr.Slider(1, MAX_LENGTH, 100, step=1, label=i18n("length"), info=i18n("length_info"),
                                               elem_id="compare-length")
                    compare_seed = gr.Number(0, label=i18n("seed"), precision=0, minimum=0, maximum=MAX_SEED,
                                             elem_id="compare-seed")
                    compare_with = gr.Dropdown([(i18n("no_second_model"), ""), *MODELS], value="", label=i18n("compare_with"),
                                               info=i18n("compare_with_info"), elem_id="compare-with")
                    compare_button = gr.Button(i18n("compare"), variant="primary", elem_id="compare-button")
                    grid_button = gr.Button(i18n("lesson_grid"), elem_id="grid-button")
            comparison_table = gr.Dataframe(label=i18n("comparison"), interactive=False, wrap=True,
                                            column_widths=COMPARISON_WIDTHS, elem_id="comparison")
            grid_table = gr.Dataframe(label=i18n("grid"), interactive=False, wrap=True, visible=False, elem_id="grid")

        with gr.Tab(i18n("tab_step"), id="step") as step_tab:
            gr.Markdown(i18n("step_intro"))
            with gr.Row():
                with gr.Column(scale=3, min_width=300):
                    step_prompt = gr.Textbox(LESSON_PROMPTS[0], label=i18n("prompt"), max_length=MAX_PROMPT_CHARS,
                                             elem_id="step-prompt")
                    gr.Examples([[p] for p in LESSON_PROMPTS], [step_prompt], label=i18n("examples"), api_visibility="private")
                    start_button = gr.Button(i18n("start"), variant="primary", elem_id="start-button")
                with gr.Column(scale=2, min_width=300):
                    step_temperature = gr.Slider(T_MIN, T_MAX, 1.0, step=T_STEP, label=i18n("temperature"),
                                                 elem_id="step-temperature")
                    step_seed = gr.Number(0, label=i18n("seed"), precision=0, minimum=0, maximum=MAX_SEED, elem_id="step-seed")
                    step_top_k = gr.Slider(1, MAX_TOP_K, 5, step=1, label=i18n("top_k"), elem_id="step-top-k")
            stepped = gr.HighlightedText(label=i18n("text_so_far"), color_map=BAND_COLOURS, show_legend=True,
                                         show_inline_category=False, elem_id="stepped")
            step_status = gr.Markdown(elem_id="step-status")
            gr.Markdown(i18n("proposals"))
            with gr.Row(elem_id="proposals"):
                proposal_buttons = [gr.Button(visible=False, min_width=90, elem_classes="proposal") for _ in range(MAX_TOP_K)]
            with gr.Row():
                sample_button = gr.Button(i18n("sample"), elem_id="sample-button")
                greedy_button = gr.Button(i18n("take_greedy"), elem_id="greedy-button")
                undo_button = gr.Button(i18n("undo"), elem_id="undo-button")
            with gr.Row():
                step_bars_t1 = gr.BarPlot(label=i18n("bars_t1"), elem_id="step-bars-t1", **BARS)
                step_bars_t = gr.BarPlot(label=i18n("bars_t"), elem_id="step-bars-t", **BARS)
            stepper = gr.State()

        with gr.Tab(i18n("tab_sweep"), id="sweep") as sweep_tab:
            gr.Markdown(i18n("sweep_intro"))
            with gr.Row(equal_height=True):
                sweep_prompt = gr.Textbox(LESSON_PROMPTS[0], label=i18n("prompt"), max_length=MAX_PROMPT_CHARS, scale=3,
                                          elem_id="sweep-prompt")
                sweep_top_k = gr.Slider(1, MAX_TOP_K, 5, step=1, label=i18n("top_k"), scale=2, elem_id="sweep-top-k")
                sweep_button = gr.Button(i18n("show"), variant="primary", scale=1, elem_id="sweep-button")
            gr.Examples([[p] for p in LESSON_PROMPTS], [sweep_prompt], label=i18n("examples"), api_visibility="private")
            with gr.Row():
                sweep_probabilities = gr.LinePlot(x="T", y="p", color="token", y_lim=[0, 1], y_title=i18n("probability"),
                                                  color_title=i18n("token"), label=i18n("sweep_probs"), min_width=300,
                                                  elem_id="sweep-probabilities")
                sweep_entropy = gr.LinePlot(x="T", y="bits", y_title=i18n("bits"), label=i18n("sweep_entropy"), min_width=300,
                                            elem_id="sweep-entropy")

        with gr.Tab(i18n("tab_about"), id="about") as about_tab:
            with gr.Row():  # side by side on a wide screen, one above the other on a phone
                with gr.Column(min_width=300):
                    card_text = gr.Markdown(elem_id="card")
                with gr.Column(min_width=300):
                    gr.Markdown(i18n("about"), elem_id="about")
            with gr.Accordion(i18n("full_card"), open=False):
                card_json = gr.JSON(show_label=False)

    # Generate: Enter and the button generate; the dice rolls a new seed and generates. The page
    # opens on a generation of the first lesson prompt (decoded once for everyone), so it teaches at once.
    generate_inputs = [prompt_box, temperature_box, length_box, decoding_box, seed_box, top_k_box, model_box]
    generation_details = [seed_box, trace, step_slider, bars_t1, bars_t]
    # The handlers check every input themselves, with a message a person can read; Gradio's own checks
    # would answer a crafted call (a word where a number belongs) with a bare "Error".
    page_event = dict(api_visibility="private", preprocess=False)
    # A reveal mostly sleeps, and what shows a generation or opens the page is a few milliseconds (shared
    # answers): a class's worth of each at once, not two at a time behind each other.
    light = dict(concurrency_limit=REVEALS, **page_event)
    gr.on([generate_button.click, prompt_box.submit], generate_page, generate_inputs, [generated, generation],
          concurrency_id="reveal", **light).then(show_generation, generation, generation_details, **light)
    dice_button.click(new_seed, None, seed_box, **page_event).then(
        generate_page, generate_inputs, [generated, generation], concurrency_id="reveal", **light).then(
        show_generation, generation, generation_details, **light)
    demo.load(generation_opening, generate_inputs, [generated, generation, *generation_details], **light)
    decoding_box.change(temperature_control, decoding_box, temperature_box, **page_event)
    generated.select(select_step, None, step_slider, **page_event)
    step_slider.change(show_step, [generation, step_slider], [bars_t1, bars_t], show_progress="hidden", **page_event)

    # Compare
    compare_inputs = [compare_prompt, temperatures_box, compare_length, compare_seed, model_box, compare_with]
    # The page opens on the Generate tab; each other view is drawn when its tab is first shown (cached: a
    # class that opens it computes it once), not for every student who opens the page.
    gr.on([compare_button.click, compare_prompt.submit, compare_tab.select], compare_page, compare_inputs, comparison_table, **page_event)
    grid_button.click(lesson_grid_page, [compare_length, compare_seed, model_box], grid_table, **page_event)

    # Step through: every action goes through step_page and redraws the whole state.
    step_inputs = [stepper, step_prompt, step_temperature, step_seed, step_top_k, model_box]
    step_outputs = [stepper, stepped, *proposal_buttons, step_bars_t1, step_bars_t, step_status]
    actions = {"start": [start_button.click, step_prompt.submit, model_box.change], "open": [step_tab.select],
               "sample": [sample_button.click], "greedy": [greedy_button.click], "undo": [undo_button.click],
               "view": [step_temperature.release, step_top_k.release]}
    actions.update({i: [button.click] for i, button in enumerate(proposal_buttons)})
    for action, triggers in actions.items():
        gr.on(triggers, step_page, [gr.State(action), *step_inputs], step_outputs, **page_event)

    # Sweep and About follow the model.
    gr.on([sweep_button.click, sweep_prompt.submit, sweep_top_k.release, model_box.change, sweep_tab.select], sweep_page,
          [sweep_prompt, sweep_top_k, model_box], [sweep_probabilities, sweep_entropy], **page_event)
    gr.on([model_box.change, about_tab.select], card_page, model_box, [card_text, card_json], **page_event)

    gr.api(generate, api_name="generate")
    gr.api(compare, api_name="compare")
    gr.api(lesson_grid, api_name="lesson_grid")

# Large type and strong contrast for a projector; Gradio's own fonts, so nothing loads from elsewhere.
THEME = gr.themes.Default(primary_hue="indigo", text_size=gr.themes.sizes.text_lg)
CSS = """
.intro p { font-size: 1.15rem; }
/* Generated text reads as text: no gaps between the coloured pieces, large monospaced type. */
#generated .token, #stepped .token { margin: 0; padding: 0.1em 0; border-radius: 0; }
#generated .textfield, #stepped .textfield { gap: 0; row-gap: 0.4em; }
#generated .text, #stepped .text { font-family: var(--font-mono); font-size: 1.6rem; }
#proposals button { font-family: var(--font-mono); font-size: 1.4rem; }
"""


# -- serving: a class at once, memory bounded over a day of classes --------------------------------
# Two cores, so two at a time of what is not set otherwise above. Queue positions go out every 2 s, not to
# every waiting client each time a job starts (under 30 users, 13% of the server's CPU). Reveals sleep in
# threads of their own. Gradio keeps every session's state (a copy of the page's config, 0.3 MB) for up
# to 10,000 sessions, and every result never fetched (a few hundred KB) for up to 2,000: a student's page
# keeps its state an hour idle among at most SESSIONS_KEPT; a session with no state of its own (an API
# call's) goes, with any result never fetched, once it has been idle FORGET_STATELESS_S.
SESSION_IDLE_S, FORGET_STATELESS_S, SESSIONS_KEPT = 3600, 5, 1000
QUEUE = dict(default_concurrency_limit=2, max_size=MAX_QUEUE, status_update_rate=2)
LAUNCH = dict(max_threads=REVEALS + 40, state_session_capacity=SESSIONS_KEPT)


def forget_sessions(holder, queue, now: datetime.datetime) -> int:
    """Drop what Gradio keeps of sessions idle an hour, and of stateless ones idle a few seconds; how many."""
    forgotten = []
    with holder.lock:
        for session, last_used in list(holder.time_last_used.items()):
            idle = (now - last_used).total_seconds()
            state = holder.session_data.get(session)
            running = any(e in queue.event_ids_to_events for e in queue.pending_event_ids_session.get(session, ()))
            if running:  # waiting in the queue or being run: its result is on its way
                continue
            if idle > SESSION_IDLE_S or idle > FORGET_STATELESS_S and not (state and state.state_data):
                holder.session_data.pop(session, None)
                holder.time_last_used.pop(session, None)
                forgotten.append(session)
    for session in forgotten:  # the results it never fetched; its finished events' ids
        queue.pending_messages_per_session.pop(session, None)
        queue.pending_event_ids_session.pop(session, None)
    return len(forgotten)


def keep_forgetting(blocks, every=1):
    # glibc keeps freed memory for reuse; giving it back lets the process's size follow what it holds.
    libc = ctypes.CDLL(ctypes.util.find_library("c")) if sys.platform == "linux" else None
    while True:
        time.sleep(every)
        if getattr(blocks, "state_holder", None) is not None and getattr(blocks, "_queue", None) is not None:
            if forget_sessions(blocks.state_holder, blocks._queue, datetime.datetime.now()) and libc:
                libc.malloc_trim(0)


if __name__ == "__main__":
    # Loading imports TensorFlow (seconds): do it while the server starts, so the page is served sooner.
    threading.Thread(target=generator, args=[DEFAULT_MODEL], daemon=True).start()
    threading.Thread(target=keep_forgetting, args=[demo], daemon=True).start()
    demo.queue(**QUEUE)
    demo.launch(share=ARGS.share, i18n=i18n, theme=THEME, css=CSS, **LAUNCH)
