"""Generate: the text coloured by the probability of each chosen token, streaming in; the bars of one step; every step."""
import math
import random
import time

import gradio as gr
import pandas as pd

import chargen

from .common import (
    BAND_COLOURS, BARS, GREEDY, MAX_LENGTH, MAX_SEED, MAX_TOP_K, PAGE_EVENT, SAMPLED, T_MAX, T_MIN, T_STEP, bar_frames,
    coloured, decode, generator, lesson_examples, model_level, percent, prompt_box, refuse, shown, warn_unknown,
)
from .labels import i18n, labels

STREAM_SECONDS, STREAM_FRAMES = 1.0, 40  # the reveal is paced so a class sees characters arrive
OUTPUTS = 7  # generated, generation, seed, trace, step slider, bars at T=1, bars at T


def trace_table(out, level: str, words: dict) -> pd.DataFrame:
    return pd.DataFrame(
        [
            [i, shown(s.token), percent(s.prob), percent(s.prob_t1), s.rank, round(s.entropy, 2),
             " · ".join(f"{shown(t)} {100 * a:.0f}→{100 * b:.0f}" for t, a, b in s.top)]
            for i, s in enumerate(out.steps, 1)
        ],
        columns=[words[c] for c in ("step", level, "p_t", "p_t1", "rank", "entropy", "alternatives")],
    )


def step_charts(out, step_number, words):
    """Bars for one step of a generation; the chosen token is added when it is outside the top-k."""
    step = out.steps[min(max(int(step_number), 1), len(out.steps)) - 1]
    top = list(step.top)
    if step.token not in [t for t, _, _ in top]:
        top.append((step.token, step.prob_t1, step.prob))
    return bar_frames(top, step.token, out.temperature, words)


def generate_page(prompt, temperature, length, decoding, seed, top_k, model, request: gr.Request):
    """Generate once, then reveal the coloured text in paced frames; the trace and bars come last."""
    words = labels(request)
    try:
        out = decode(prompt, temperature, length, decoding, seed, top_k, model)
    except chargen.ChargenError as error:
        yield refuse(error, OUTPUTS)
        return
    level = model_level(model)
    warn_unknown(out.unknown, level, words)
    pieces = coloured(generator(model).prompt_text(prompt), out.steps)
    frames = min(len(out.steps), STREAM_FRAMES)
    for frame in range(1, frames):
        yield [pieces[: 1 + math.ceil(len(out.steps) * frame / frames)], *[gr.skip()] * (OUTPUTS - 1)]
        time.sleep(STREAM_SECONDS / frames)
    bars_at_t1, bars_at_t = step_charts(out, 1, words)  # length >= 1: there is always a first step
    yield [pieces, out, out.seed, trace_table(out, level, words), gr.Slider(maximum=len(out.steps), value=1),
           bars_at_t1, bars_at_t]


def select_step(evt: gr.SelectData):
    """A click on a generated piece picks its step (piece 0 is the prompt)."""
    return evt.index or 1


def show_step(out, step_number, request: gr.Request):
    if out is None or not out.steps:
        return gr.skip(), gr.skip()
    return step_charts(out, step_number, labels(request))


def new_seed():
    return random.randrange(10_000)


def temperature_control(decoding):
    return gr.Slider(interactive=decoding == SAMPLED)


def build(model_box, page_open):
    """The Generate tab; it opens on a generation of the first lesson prompt, so the page teaches at once."""
    with gr.Tab(i18n("tab_generate"), id="generate"):
        with gr.Row():
            with gr.Column(scale=3, min_width=300):
                prompt = prompt_box("generate-prompt", placeholder=i18n("prompt_placeholder"))
                lesson_examples(prompt)
                generate_button = gr.Button(i18n("generate"), variant="primary", elem_id="generate-button")
            with gr.Column(scale=2, min_width=300):
                decoding = gr.Radio([(i18n("greedy"), GREEDY), (i18n("sampled"), SAMPLED)], value=SAMPLED,
                                    label=i18n("decoding"), elem_id="decoding")
                temperature = gr.Slider(T_MIN, T_MAX, 1.0, step=T_STEP, label=i18n("temperature"),
                                        info=i18n("temperature_info"), elem_id="temperature")
                length = gr.Slider(1, MAX_LENGTH, 100, step=1, label=i18n("length"), info=i18n("length_info"),
                                   elem_id="length")
                with gr.Row(equal_height=True):
                    seed = gr.Number(0, label=i18n("seed"), precision=0, minimum=0, maximum=MAX_SEED, elem_id="seed")
                    dice_button = gr.Button(i18n("dice"), elem_id="dice")
                top_k = gr.Slider(1, MAX_TOP_K, 5, step=1, label=i18n("top_k"), elem_id="top-k")
        generated = gr.HighlightedText(label=i18n("generated"), color_map=BAND_COLOURS, show_legend=True,
                                       show_inline_category=False, elem_id="generated")
        step_slider = gr.Slider(1, 100, 1, step=1, label=i18n("step"), info=i18n("step_info"), elem_id="step")
        with gr.Row():
            bars_t1 = gr.BarPlot(label=i18n("bars_t1"), elem_id="bars-t1", **BARS)
            bars_t = gr.BarPlot(label=i18n("bars_t"), elem_id="bars-t", **BARS)
        trace = gr.Dataframe(label=i18n("trace"), interactive=False, wrap=True, max_height=420, elem_id="trace")
        generation = gr.State()

    # Enter and the button generate; the dice rolls a new seed and generates.
    inputs = [prompt, temperature, length, decoding, seed, top_k, model_box]
    outputs = [generated, generation, seed, trace, step_slider, bars_t1, bars_t]
    gr.on([generate_button.click, prompt.submit, page_open], generate_page, inputs, outputs,
          concurrency_limit=8, concurrency_id="reveal", **PAGE_EVENT)  # the reveal mostly sleeps
    dice_button.click(new_seed, None, seed, **PAGE_EVENT).then(
        generate_page, inputs, outputs, concurrency_id="reveal", **PAGE_EVENT)
    decoding.change(temperature_control, decoding, temperature, **PAGE_EVENT)
    generated.select(select_step, None, step_slider, **PAGE_EVENT)
    step_slider.change(show_step, [generation, step_slider], [bars_t1, bars_t], show_progress="hidden", **PAGE_EVENT)
