"""Compare: one prompt at several temperatures with one seed (optionally beside a second model), and the lesson grid."""
import gradio as gr
import pandas as pd

import chargen

from .common import (
    GREEDY, LESSON_TEMPERATURES, MAX_LENGTH, MAX_SEED, MODELS, PAGE_EVENT, lesson_examples, lesson_grid_rows,
    model_level, prompt_box, refuse, row_stats, side_by_side, warn_unknown,
)
from .labels import i18n, labels

TEMPERATURE_CHOICES = [GREEDY, "0.1", "0.3", "0.5", "0.8", "1.0", "1.3", "1.5", "1.8", "2.0", "2.5", "3.0"]
TEMPERATURES_START = [GREEDY, *(f"{t:.1f}" for t in LESSON_TEMPERATURES)]
# Fixed widths: on a phone the table scrolls sideways instead of squeezing its headers into columns of letters.
COMPARISON_WIDTHS = ["110px", "100px", "480px", "130px", "130px", "110px", "130px"]


def compare_page(prompt, temperatures, length, seed, model, other, request: gr.Request):
    words = labels(request)
    try:
        rows = side_by_side(prompt, temperatures, length, seed, model, other)
    except chargen.ChargenError as error:
        return refuse(error)
    for name, out in dict(rows).items():  # once per model: what it lacks depends only on the prompt
        warn_unknown(out.unknown, model_level(name), words)

    def share(value):
        return words["not_available"] if value is None else f"{100 * value:.0f}%"

    table = []
    for name, out in rows:
        summary = row_stats(out, name)
        table.append([name, out.label, out.prompt + out.text, f"{summary['mean_entropy_bits']:.2f}",
                      f"{summary['log_likelihood_bits']:.1f}", share(summary["real_word_share"]),
                      share(summary["repeated_ngram_rate"])])
    columns = ["model", "decoding_label", "text", "mean_entropy", "log_likelihood", "real_words", "repeats"]
    return pd.DataFrame(table, columns=[words[c] for c in columns])


def lesson_grid_page(length, seed, model, request: gr.Request):
    try:
        grid = lesson_grid_rows(length, seed, model)
    except chargen.ChargenError as error:
        return refuse(error)
    table = pd.DataFrame.from_dict(grid, orient="index").rename_axis(labels(request)["prompt"]).reset_index()
    return gr.Dataframe(table, visible=True)


def build(model_box, page_open):
    with gr.Tab(i18n("tab_compare"), id="compare"):
        gr.Markdown(i18n("compare_intro"))
        with gr.Row():
            with gr.Column(scale=3, min_width=300):
                prompt = prompt_box("compare-prompt")
                lesson_examples(prompt)
                temperatures = gr.CheckboxGroup([(i18n("greedy"), GREEDY), *TEMPERATURE_CHOICES[1:]],
                                                value=TEMPERATURES_START, label=i18n("temperatures"), elem_id="temperatures")
            with gr.Column(scale=2, min_width=300):
                length = gr.Slider(1, MAX_LENGTH, 100, step=1, label=i18n("length"), info=i18n("length_info"),
                                   elem_id="compare-length")
                seed = gr.Number(0, label=i18n("seed"), precision=0, minimum=0, maximum=MAX_SEED, elem_id="compare-seed")
                other = gr.Dropdown([(i18n("no_second_model"), ""), *MODELS], value="", label=i18n("compare_with"),
                                    info=i18n("compare_with_info"), elem_id="compare-with")
                compare_button = gr.Button(i18n("compare"), variant="primary", elem_id="compare-button")
                grid_button = gr.Button(i18n("lesson_grid"), elem_id="grid-button")
        comparison_table = gr.Dataframe(label=i18n("comparison"), interactive=False, wrap=True,
                                        column_widths=COMPARISON_WIDTHS, elem_id="comparison")
        grid_table = gr.Dataframe(label=i18n("grid"), interactive=False, wrap=True, visible=False, elem_id="grid")

    inputs = [prompt, temperatures, length, seed, model_box, other]
    gr.on([compare_button.click, prompt.submit, page_open], compare_page, inputs, comparison_table, **PAGE_EVENT)
    grid_button.click(lesson_grid_page, [length, seed, model_box], grid_table, **PAGE_EVENT)
