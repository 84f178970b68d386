"""Generate: the text coloured by the probability of each chosen token, streaming in; the bars of one step; every step."""
import math
import os
import threading
import time
from contextlib import contextmanager

import gradio as gr
import pandas as pd

import chargen
from chargen.decode import check_whole

from . import export, link, progress
from .bars import bar_block
from .newest import NUMBERED, newest_only, request_number
from .common import (
    BAND_COLOURS, GREEDY, MAX_LENGTH, MAX_TOP_K, PAGE_EVENT, SAMPLED, T_MAX, T_MIN, T_STEP, Refusal,
    bring_into_view, coloured, decode, generator, lesson_examples, model_level, prompt_box, refuse, shared,
    shown, typed_seed, warn_unknown,
)
from .labels import i18n, labels, made_by_copied, number, percent
from .samplers import (
    at_t_title, bar_settings, distribution_charts, draw, drawn_bars, draws_line, order_line, order_markdown, sampler_controls,
    truncation,
)

STREAM_SECONDS, STREAM_FRAMES = 1.0, 20  # the reveal is paced so a class sees characters arrive
# A class pressing Generate at once: reveals mostly sleep, so a whole class's run at once (each in a thread
# of its own), their frames together at most FRAMES_PER_SECOND (each is a message to build and send, and
# Gradio rebuilds every output a frame skips): one reveal alone is paced in full, two share it, a class
# gets its texts whole.
REVEALS = int(os.environ.get("CHARGEN_REVEALS", "128"))
FRAMES_PER_SECOND = int(os.environ.get("CHARGEN_FRAMES_PER_SECOND", "20"))
OPENING_SEED = 0  # the page opens on one generation for everyone (the seed field is blank: a fresh seed per click)
REVEALED = 3  # what a reveal's frames update: what made it, the generated text, the generation
# What its last frame adds: the bars of the telling step (three: at T = 1, at T, the draws' put away), trace, step
# slider, length slider (its unit), the draws' line put away.
DETAILS = 7
# The telling step's alternatives hold at least this much of the probability at T = 1, the first at most this.
TELLING_MASS, TELLING_TOP = 0.5, 0.7


def trace_table(out, level: str, words: dict) -> pd.DataFrame:
    return pd.DataFrame(
        [
            [i, shown(s.token), percent(s.prob, words), percent(s.prob_t1, words), s.rank, number(s.entropy, words, 2),
             " · ".join(f"{shown(a.token)} {number(100 * a.p_t1, words)}→{number(100 * a.p, words)}" for a in s.top)]
            for i, s in enumerate(out.steps, 1)
        ],
        columns=[words[c] for c in ("step", level, "p_t", "p_t1", "rank", "entropy", "alternatives")],
    )


def step_charts(out, step_number, words, settings=None, draws=None):
    """Bars for one step of a generation under ``settings`` (temperature and samplers; default: the
    generation's own), redrawn from the distribution kept for it; the chosen token is added when it is
    outside the alternatives. ``draws``: that distribution drawn from, beside it."""
    i = min(max(int(step_number), 1), len(out.steps)) - 1
    step = out.steps[i]
    ids = [a.id for a in step.top] + [step.id] * (step.id not in [a.id for a in step.top])
    own = dict(temperature=None if out.greedy else out.temperature, top_k=out.top_k, top_p=out.top_p, min_p=out.min_p)
    return distribution_charts(out.distribution(i, **(settings or {})), ids, step.token, words, draws,
                               (words["bars_t1_step"].format(n=i + 1), at_t_title(settings or own, own, words)))


def telling_step(out) -> int:
    """The step the bars open on: the first whose alternatives shown hold most of the probability at T = 1, none
    of them nearly all, so that moving T visibly reshapes them (at step 1 the rest of the vocabulary often held
    two thirds, and for words nine tenths: T mostly grew or shrank one grey bar); else step 1."""
    return next((i for i, step in enumerate(out.steps, 1)
                 if sum(a.p_t1 for a in step.top) >= TELLING_MASS and step.top[0].p_t1 <= TELLING_TOP), 1)


page_decode = shared(decode)


def decode_for_page(prompt, temperature, length, decoding, seed, top_k, model, samplers) -> chargen.Generation:
    """Seeded, the same inputs give the same text: shared by everyone who asks. No seed draws a fresh one."""
    cut = tuple(truncation(*samplers).items())  # a cache key
    return (decode if seed is None else page_decode)(prompt, temperature, length, decoding, seed, top_k, model, True, cut)


class RevealPace:
    """How many frames a reveal gets: STREAM_FRAMES when it runs alone, fewer when many run at once, so
    that the server sends at most FRAMES_PER_SECOND in all; a whole class pressing Generate together
    gets its texts whole, at once."""

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


def generate_page(prompt, temperature, length, decoding, seed, top_k, model, cut_k, cut_p, cut_min,
                  request: gr.Request):
    """Generate once (a fresh seed unless one is typed), then reveal the coloured text in paced frames, the
    last one with the rest (show_generation): one event per press. A frame changes only the text."""
    try:
        level = model_level(model)
        words = labels(request, level)
        out = decode_for_page(prompt, temperature, length, decoding, typed_seed(seed), top_k, model,
                              (cut_k, cut_p, cut_min))
    except chargen.ChargenError as error:
        yield refuse(error, labels(request), REVEALED + DETAILS)
        return
    warn_unknown(out.unknown, level, words)
    pieces = coloured(generator(model).prompt_text(prompt), out.steps)
    made = made_by_copied(generator(model), out, words)
    with reveal_pace.frames(len(out.steps)) as frames:
        for frame in range(1, frames):
            yield [made, pieces[: 1 + math.ceil(len(out.steps) * frame / frames)], *[gr.skip()] * (1 + DETAILS)]
            time.sleep(STREAM_SECONDS / frames)
    details = show_generation(out, request)
    yield [made, gr.HighlightedText(pieces, label=words["generated"]), out, *details]


def show_generation(out, request: gr.Request):
    """With the text: the bars of its telling step, every step, and the labels in the model's unit."""
    if out is None or not out.steps:
        return [gr.skip()] * DETAILS
    words = labels(request, out.level)
    opening = telling_step(out)
    return [*step_charts(out, opening, words), trace_table(out, out.level, words),
            gr.Slider(maximum=len(out.steps), value=opening, info=words["step_info"]), gr.Slider(info=words["length_info"]),
            ""]


def generation_opening(prompt, temperature, length, decoding, seed, top_k, model, cut_k, cut_p, cut_min,
                       request: gr.Request):
    """The page opens on a generation, shown whole (the reveal is for a press of the button), the same
    for everyone unless a seed is typed: decoded once for a class. The intro follows the model's unit."""
    try:
        level = model_level(model)
        words = labels(request, level)
        typed = typed_seed(seed)
        out = decode_for_page(prompt, temperature, length, decoding, OPENING_SEED if typed is None else typed, top_k,
                              model, (cut_k, cut_p, cut_min))
    except chargen.ChargenError as error:
        return refuse(error, labels(request), 1 + REVEALED + DETAILS)
    pieces = coloured(generator(model).prompt_text(prompt), out.steps)
    return [words["intro"], made_by_copied(generator(model), out, words),
            gr.HighlightedText(pieces, label=words["generated"]), out, *show_generation(out, request)]


def select_step(evt: gr.SelectData, request: gr.Request):
    """A click on a generated piece picks its step (piece 0 is the prompt)."""
    if isinstance(evt.index, bool) or not isinstance(evt.index, int) or not 0 <= evt.index <= MAX_LENGTH:
        return refuse(Refusal("whole", name="step", low=1, high=MAX_LENGTH, value=evt.index), labels(request))
    return evt.index or 1


def show_step(out, step_number, decoding, temperature, cut_k, cut_p, cut_min, request: gr.Request):
    """The selected step's bars under the page's settings as they are now (a slider being dragged), the
    text left as generated; the line of the sampling pipeline; the last draws put away."""
    words = labels(request, out.level if out else "char")
    settings = bar_settings(decoding, temperature, cut_k, cut_p, cut_min)
    try:
        check_whole("step", step_number, 1, len(out.steps) if out and out.steps else MAX_LENGTH)
        charts = step_charts(out, step_number, words, settings) if out and out.steps else [gr.skip()] * 3
    except chargen.ChargenError as error:
        return refuse(error, words, 5)
    return [*charts, "", order_line(settings, words)]


def draw_step(out, step_number, decoding, temperature, cut_k, cut_p, cut_min, request: gr.Request):
    """Draw the selected step 1,000 times under the page's settings (a fresh seed each press): the share
    of the draws beside the bars, and how far they are from them."""
    settings = bar_settings(decoding, temperature, cut_k, cut_p, cut_min)
    if out is None or not out.steps or settings["temperature"] is None:  # greedy draws nothing (the button is off)
        return [gr.skip()] * 4
    words = labels(request, out.level)
    try:
        i = check_whole("step", step_number, 1, len(out.steps))
        draws = draw(out.distribution(i - 1, **settings))
    except chargen.ChargenError as error:
        return refuse(error, words, 4)
    return [*step_charts(out, i, words, settings, draws), draws_line(draws, settings["temperature"], words)]


def temperature_control(decoding):
    """Greedy has no temperature, and nothing to draw."""
    return gr.Slider(interactive=decoding == SAMPLED), gr.Button(interactive=decoding == SAMPLED)


def build(model_box, page_open, intro):
    """The Generate tab: compact controls beside the result, so text and bars fit the first screen of a
    projector; it opens on a generation of the first lesson prompt, so the page teaches at once."""
    with gr.Tab(i18n("tab_generate"), id="generate"):
        with gr.Row():
            with gr.Column(scale=2, min_width=300):
                prompt = prompt_box("generate-prompt", placeholder=i18n("prompt_placeholder"))
                generate_button = gr.Button(i18n("generate"), variant="primary", elem_id="generate-button")
                decoding = gr.Radio([(i18n("greedy"), GREEDY), (i18n("sampled"), SAMPLED)], value=SAMPLED,
                                    label=i18n("decoding"), elem_id="decoding")
                temperature = gr.Slider(T_MIN, T_MAX, 1.0, step=T_STEP, label=i18n("temperature"),
                                        info=i18n("temperature_info"), elem_id="temperature")
                # the model, or one of its snapshots: below the temperature, which stays on a projector's first screen
                model = progress.after_epoch(model_box, "generate-epoch")
                seed = gr.Textbox(label=i18n("seed"), info=i18n("seed_info"), placeholder="⚄", max_length=10,
                                  elem_id="seed")
                length = gr.Slider(1, MAX_LENGTH, 100, step=1, label=i18n("length"), info=i18n("length_info"),
                                   elem_id="length")
                samplers = sampler_controls("generate")
                top_k = gr.Slider(1, MAX_TOP_K, 5, step=1, label=i18n("top_k"), elem_id="top-k")
                lesson_examples(prompt)
            with gr.Column(scale=3, min_width=300):
                made = gr.Markdown(elem_id="generate-made-by", elem_classes="made-by")
                generated = gr.HighlightedText(label=i18n("generated"), color_map=BAND_COLOURS, show_legend=True,
                                               show_inline_category=False, elem_id="generated")
                with gr.Row():
                    bars_t1 = bar_block("bars_t1", "bars-t1")
                    bars_t = bar_block("bars_t", "bars-t")
                    bars_drawn = drawn_bars("bars-drawn")
                order = order_markdown("generate-order")
                step_slider = gr.Slider(1, 100, 1, step=1, label=i18n("step"), info=i18n("step_info"), elem_id="step")
                with gr.Row(equal_height=True):
                    draw_button = gr.Button(i18n("draw"), elem_id="draw-button", scale=0, min_width=200)
                    draws = gr.Markdown(elem_id="generate-draws")
                generation, number = gr.State(), request_number()
                with gr.Row(elem_classes="share-row"):
                    export.download_button(export.export_generation, [generation], "export_json", "generate-json")
                    link.link_button(link.generation_link, [generation, length], "generate-link")
        trace = gr.Dataframe(label=i18n("trace"), interactive=False, wrap=True, max_height=420, elem_id="trace")

    # The page opens on a generation, in one event (the intro comes with it). Enter and the button generate,
    # and so does a new model; the last click wins, even over the page-open generation still on its way.
    # Both mostly wait (the opening is decoded once, a reveal sleeps between frames): a class's worth at once.
    inputs = [prompt, temperature, length, decoding, seed, top_k, model, *samplers]
    revealed, details = [made, generated, generation], [bars_t1, bars_t, bars_drawn, trace, step_slider, length, draws]
    light = dict(concurrency_limit=REVEALS, **PAGE_EVENT)
    opening = page_open(generation_opening, inputs, [intro, *revealed, *details], **light)
    asked = [generate_button.click, prompt.submit]
    gr.on([*asked, model.change], newest_only("generate")(generate_page), [*inputs, number], [*revealed, *details],
          js=NUMBERED, trigger_mode="always_last", concurrency_id="reveal", cancels=[opening], **light)
    gr.on(asked, None, js=bring_into_view("generate-made-by"), **PAGE_EVENT)
    decoding.change(temperature_control, decoding, [temperature, draw_button], **PAGE_EVENT)
    # The bars follow the step picked and the settings as they move (the slider's change fires while it is
    # dragged); the text stays until Generate. A click's update may not fire the step slider's change.
    selected = [generation, step_slider, decoding, temperature, *samplers, number]
    redrawn = [bars_t1, bars_t, bars_drawn, draws, order]
    redraw, draw_redraw = newest_only("generate-bars")(show_step), newest_only("generate-bars")(draw_step)
    generated.select(select_step, None, step_slider, **PAGE_EVENT).then(
        redraw, selected, redrawn, js=NUMBERED, show_progress="hidden", **light)
    gr.on([step_slider.change, decoding.change, temperature.change, *(s.change for s in samplers)], redraw, selected,
          redrawn, js=NUMBERED, show_progress="hidden", trigger_mode="always_last", **light)
    draw_button.click(draw_redraw, selected, [bars_t1, bars_t, bars_drawn, draws], js=NUMBERED, show_progress="hidden",
                      **PAGE_EVENT)
    return dict(prompt=prompt, decoding=decoding, temperature=temperature, seed=seed, length=length, alternatives=top_k,
                model=model, **dict(zip(("top_k", "top_p", "min_p"), samplers)))
