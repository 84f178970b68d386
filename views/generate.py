"""Generate: the text coloured by the probability of each chosen token, streaming in; the bars of one step; every step."""
import math
import time

import gradio as gr
import pandas as pd

import chargen

from .common import (
    BAND_COLOURS, BARS, GREEDY, MAX_LENGTH, MAX_TOP_K, PAGE_EVENT, SAMPLED, T_MAX, T_MIN, T_STEP, bar_charts,
    bring_into_view, coloured, decode, generator, lesson_examples, model_level, prompt_box, refuse, shown, typed_seed,
    warn_unknown,
)
from .labels import i18n, labels, made_by, number, percent

STREAM_SECONDS, STREAM_FRAMES = 1.0, 40  # the reveal is paced so a class sees characters arrive
OUTPUTS = 8  # what made it, generated text, generation, trace, step slider, bars at T=1 and at T, length slider


def trace_table(out, level: str, words: dict) -> pd.DataFrame:
    return pd.DataFrame(
        [
            [i, shown(s.token), percent(s.prob, words), percent(s.prob_t1, words), s.rank, number(s.entropy, words, 2),
             " · ".join(f"{shown(a.token)} {number(100 * a.p_t1, words)}→{number(100 * a.p, words)}" for a in s.top)]
            for i, s in enumerate(out.steps, 1)
        ],
        columns=[words[c] for c in ("step", level, "p_t", "p_t1", "rank", "entropy", "alternatives")],
    )


def step_charts(out, step_number, words):
    """Bars for one step of a generation; the chosen token is added when it is outside the top-k."""
    step = out.steps[min(max(int(step_number), 1), len(out.steps)) - 1]
    top = [(a.token, a.p_t1, a.p) for a in step.top]
    if step.token not in [t for t, _, _ in top]:
        top.append((step.token, step.prob_t1, step.prob))
    return bar_charts(top, step.token, out.temperature, words)


def generate_page(prompt, temperature, length, decoding, seed, top_k, model, request: gr.Request):
    """Generate once (a fresh seed unless one is typed), then reveal the coloured text in paced
    frames; what made it, the trace and the bars come with the last frame."""
    try:
        level = model_level(model)
        words = labels(request, level)
        out = decode(prompt, temperature, length, decoding, typed_seed(seed), top_k, model)
    except chargen.ChargenError as error:
        yield refuse(error, labels(request), OUTPUTS)
        return
    warn_unknown(out.unknown, level, words)
    pieces = coloured(generator(model).prompt_text(prompt), out.steps)
    made = made_by(model, level, out.temperature, out.seed, words)
    frames = min(len(out.steps), STREAM_FRAMES)
    for frame in range(1, frames):
        yield [made, pieces[: 1 + math.ceil(len(out.steps) * frame / frames)], *[gr.skip()] * (OUTPUTS - 2)]
        time.sleep(STREAM_SECONDS / frames)
    bars_at_t1, bars_at_t = step_charts(out, 1, words)  # length >= 1: there is always a first step
    yield [made, gr.HighlightedText(pieces, label=words["generated"]), out, trace_table(out, level, words),
           gr.Slider(maximum=len(out.steps), value=1, info=words["step_info"]), bars_at_t1, bars_at_t,
           gr.Slider(info=words["length_info"])]


def select_step(evt: gr.SelectData):
    """A click on a generated piece picks its step (piece 0 is the prompt)."""
    return evt.index or 1


def show_step(out, step_number, request: gr.Request):
    if out is None or not out.steps:
        return gr.skip(), gr.skip()
    return step_charts(out, step_number, labels(request, out.level))


def temperature_control(decoding):
    return gr.Slider(interactive=decoding == SAMPLED)


def build(model_box, page_open):
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
                seed = gr.Textbox(label=i18n("seed"), info=i18n("seed_info"), placeholder="⚄", max_length=10,
                                  elem_id="seed")
                length = gr.Slider(1, MAX_LENGTH, 100, step=1, label=i18n("length"), info=i18n("length_info"),
                                   elem_id="length")
                top_k = gr.Slider(1, MAX_TOP_K, 5, step=1, label=i18n("top_k"), elem_id="top-k")
                lesson_examples(prompt)
            with gr.Column(scale=3, min_width=300):
                made = gr.Markdown(elem_id="generate-made-by", elem_classes="made-by")
                generated = gr.HighlightedText(label=i18n("generated"), color_map=BAND_COLOURS, show_legend=True,
                                               show_inline_category=False, elem_id="generated")
                with gr.Row():
                    bars_t1 = gr.BarPlot(label=i18n("bars_t1"), elem_id="bars-t1", **BARS)
                    bars_t = gr.BarPlot(label=i18n("bars_t"), elem_id="bars-t", **BARS)
                step_slider = gr.Slider(1, 100, 1, step=1, label=i18n("step"), info=i18n("step_info"), elem_id="step")
        trace = gr.Dataframe(label=i18n("trace"), interactive=False, wrap=True, max_height=420, elem_id="trace")
        generation = gr.State()

    # Enter and the button generate, and so does a new model; the last click wins even while the
    # page-open generation is still streaming in.
    inputs = [prompt, temperature, length, decoding, seed, top_k, model_box]
    outputs = [made, generated, generation, trace, step_slider, bars_t1, bars_t, length]
    asked = [generate_button.click, prompt.submit]
    gr.on([*asked, model_box.change, page_open], generate_page, inputs, outputs, trigger_mode="always_last",
          concurrency_limit=8, concurrency_id="reveal", **PAGE_EVENT)  # the reveal mostly sleeps
    gr.on(asked, None, js=bring_into_view("generate-made-by"), **PAGE_EVENT)
    decoding.change(temperature_control, decoding, temperature, **PAGE_EVENT)
    generated.select(select_step, None, step_slider, **PAGE_EVENT)
    step_slider.change(show_step, [generation, step_slider], [bars_t1, bars_t], show_progress="hidden",
                       trigger_mode="always_last", **PAGE_EVENT)
