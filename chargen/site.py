"""The browser edition: the classroom page as a static site that runs the models on each student's device.

    python -m chargen site OUT

writes OUT/index.html, the page's modules and styles (web/), page.json (the Gradio page's labels, colours and
limits, exported from views/ so both editions say the same), the shipped models (models/<name>/, snapshots
as ``lesson@8``) and a README.md that makes the folder a Hugging Face static Space. Any static server serves
it (``python -m http.server`` in OUT); nothing is fetched from another origin.
"""
import dataclasses
import json
import shutil
from pathlib import Path

from .bundle import shipped_names
from .errors import ChargenError

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
PAGE_FILES = ("*.html", "*.mjs", "*.css")
SPACE_README = """---
title: chargen in the browser
emoji: 🌡️
colorFrom: indigo
colorTo: yellow
sdk: static
pinned: false
short_description: What temperature does to an LSTM writing news titles
---

# chargen: the browser edition

A small LSTM trained on AG News titles writes one character (or word) at a time, in your browser: pick a
temperature, generate, compare temperatures on one seed, or step through by hand, and see every step's
probabilities. Made by `python -m chargen site OUT`; nothing runs on a server, and the page keeps working offline
once loaded.
"""


def camel(name: str) -> str:
    """A Python field name as the JavaScript API spells it: max_prompt_chars -> maxPromptChars."""
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def page_settings() -> dict:
    """What the Gradio page's views define and the browser edition shows the same way: labels (both languages),
    probability and bar colours, the controls' ranges and defaults, the limits the core checks, the models."""
    from views import bars, common, compare, generate, labels, samplers

    models = []
    for name in shipped_names():  # what export_all writes (the app may offer bundle directories besides)
        card = _card(name)
        snapshots = [[epoch, labels.snapshot_name(name, epoch)] for epoch, _ in common.snapshots(name)]
        models.append({"name": name, "level": card.level, "epochs": card.epochs, "snapshots": snapshots})
    return {
        "labels": labels.LABELS,
        "bands": common.PROBABILITY_BANDS, "bar_colours": bars.BAR_COLOURS, "long_label": bars.LONG_LABEL,
        "limits": {camel(field.name): value for field, value in
                   ((f, getattr(common.LIMITS, f.name)) for f in dataclasses.fields(common.LIMITS))},
        "temperature": {"min": common.T_MIN, "max": common.T_MAX, "step": common.T_STEP, "start": 1.0},
        "temperature_choices": common.TEMPERATURE_CHOICES, "temperatures_ticked": compare.TEMPERATURES_START,
        "greedy": common.GREEDY, "sampled": common.SAMPLED,
        "max_length": common.MAX_LENGTH, "max_alternatives": common.MAX_TOP_K, "max_seed": common.MAX_SEED,
        "opening_seed": generate.OPENING_SEED, "compare_seed": compare.COMPARE_SEED,
        "telling_mass": generate.TELLING_MASS, "telling_top": generate.TELLING_TOP,
        "samplers": {"off": samplers.OFF, "max_top_k": samplers.MAX_SAMPLER_TOP_K},
        "lesson_prompts": common.LESSON_PROMPTS, "lesson_temperatures": common.LESSON_TEMPERATURES,
        "models": models,
    }


def _card(name):
    from . import bundle

    return bundle.read_card(bundle.resolve(name))


def build(out) -> Path:
    """Write the whole site into ``out`` (made if missing; files of an earlier build are replaced)."""
    from views.bars import CSS as BARS_CSS
    from views.compare import TABLE_CSS

    from .web_export import export_all

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ChargenError(f"{out}: not a directory")
    out.mkdir(parents=True, exist_ok=True)
    for pattern in PAGE_FILES:
        for path in WEB_DIR.glob(pattern):
            shutil.copyfile(path, out / path.name)
    (out / "bars.css").write_text(BARS_CSS, encoding="utf-8")  # the Gradio page's bar charts and tables, rule for rule
    (out / "tables.css").write_text(TABLE_CSS, encoding="utf-8")
    (out / "page.json").write_text(json.dumps(page_settings(), ensure_ascii=False), encoding="utf-8")
    (out / "README.md").write_text(SPACE_README, encoding="utf-8")
    export_all(out / "models")
    return out
