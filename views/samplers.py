"""What Generate, Compare and Step through share about sampling: the truncation controls, the line saying
the order of operations, a step's bars under any settings, and drawing a step 1,000 times."""
import math
import secrets

import gradio as gr

from .bars import bar_block
from .common import GREEDY, MAX_SEED, bar_charts
from .labels import i18n, number, sampler_steps, setting, temperature_label

DRAWS = 1_000
MAX_SAMPLER_TOP_K = 40
# Each sampler has a value that turns it off, where its slider starts: nothing is truncated until asked.
OFF = dict(top_k=0, top_p=1.0, min_p=0.0)
# A chart put away stays on the page, hidden: the next draw patches it in place (its bars then move, not appear).
PUT_AWAY = "hidden"


def sampler_controls(prefix, plain_too=False):
    """top-k, top-p and min-p, off, in a closed accordion (the result stays on a projector's first screen);
    returns the three sliders, and with ``plain_too`` a checkbox "each temperature also without them"."""
    with gr.Accordion(i18n("samplers"), open=False, elem_id=f"{prefix}-samplers"):
        controls = [  # one above the other: side by side in a projector's column they were cut off
            gr.Slider(0, MAX_SAMPLER_TOP_K, OFF["top_k"], step=1, label=i18n("sampler_top_k"), elem_id=f"{prefix}-sampler-top-k"),
            gr.Slider(0.05, 1.0, OFF["top_p"], step=0.05, label=i18n("sampler_top_p"), elem_id=f"{prefix}-sampler-top-p"),
            gr.Slider(0.0, 0.5, OFF["min_p"], step=0.01, label=i18n("sampler_min_p"), elem_id=f"{prefix}-sampler-min-p"),
        ]
        if plain_too:
            controls.append(gr.Checkbox(True, label=i18n("plain_too"), elem_id=f"{prefix}-plain-too"))
    return controls


def truncation(top_k, top_p, min_p) -> dict:
    """The core's top_k, top_p and min_p from the sliders: None where a slider is at its "off"; anything
    else goes to the core as sent, to be checked there."""
    return {name: None if value == OFF[name] else value
            for name, value in (("top_k", top_k), ("top_p", top_p), ("min_p", min_p))}


def bar_settings(decoding, temperature, top_k, top_p, min_p) -> dict:
    """The settings a step's bars are drawn under: the page's decoding, temperature and samplers."""
    return dict(temperature=None if decoding == GREEDY else temperature, **truncation(top_k, top_p, min_p))


def order_line(settings: dict, words: dict) -> str:
    """The sampling pipeline with the current numbers: ``p → p^(1/0.8) → top-k 20 → top-p 0.9 → renormalise``."""
    if settings["temperature"] is None:
        return words["order_greedy"]
    cut = sampler_steps({k: v for k, v in settings.items() if k != "temperature"}, words)
    steps = ["p", f"p^(1/{setting(settings['temperature'], words)})", *cut, words["renormalise"]]
    return words["order"].format(steps=" → ".join(steps)) + (words["order_removed"] if cut else "")


def order_markdown(elem_id):
    return gr.Markdown(i18n("order_start"), elem_id=elem_id, elem_classes="order")


def distribution_charts(d, ids, chosen: str | None, words: dict, draws=None, titles=(None, None)):
    """The bars at T = 1, at T and drawn of a step's distribution ``d`` for the tokens ``ids``, the rest as
    one bar: without ``draws`` the first two (the draws' chart put away); with them the bars at T and the
    share of the draws of each token beside them, in the place of the bars at T = 1. ``titles``: of the
    charts at T = 1 and at T (None: as they were)."""
    top = [(str(d.tokens[i]), float(d.p_t1[i]), float(d.p[i])) for i in ids]
    if draws is None:
        return *bar_charts(top, chosen, d.temperature, words, titles=titles), gr.HTML(visible=PUT_AWAY)
    shares = [float(draws.frequencies[i]) for i in ids]
    _, at_t, drawn = bar_charts(top, chosen, d.temperature, words, [*shares, max(0.0, 1 - sum(shares))], titles)
    return gr.HTML(visible=PUT_AWAY), at_t, drawn


def at_t_title(settings: dict, own: dict, words: dict) -> str:
    """The title of a generation's bars at T: "Drawn at T = 1.8" under its own settings, "At T = 0.2 (the
    slider)" once the page's settings moved away from them."""
    if settings["temperature"] is None:
        return words["bars_t_greedy"]
    decoding = " · ".join([temperature_label(settings["temperature"], words),
                           *sampler_steps({k: v for k, v in settings.items() if k != "temperature"}, words)])
    same = all(v == own[k] or None not in (v, own[k]) and math.isclose(v, own[k]) for k, v in settings.items())
    return words["bars_t_drawn" if same else "bars_t_slider"].format(decoding=decoding)


def draw(d):
    """``DRAWS`` tokens from ``d`` with a fresh seed (shown, so the draw can be repeated in Python)."""
    return d.sample(DRAWS, seed=secrets.randbelow(MAX_SEED + 1))


def draws_line(draws, temperature, words: dict) -> str:
    return words["draws_line"].format(n=number(draws.n, words), decoding=temperature_label(temperature, words),
                                      seed=draws.seed, tv=number(draws.tv, words, 3))


def drawn_bars(elem_id):
    """The draws' chart, shown once a step is drawn."""
    return bar_block("bars_drawn", elem_id, visible=PUT_AWAY)

