"""Temperature sweep: how the next-token distribution after a prompt, and its entropy, change with T."""
import gradio as gr
import pandas as pd

import chargen
from chargen import stats

from .common import (
    LIMITS, MAX_TOP_K, PAGE_EVENT, T_MAX, T_MIN, T_STEP, bring_into_view, generator, lesson_examples, prompt_box, refuse,
    shared, shown,
)
from .labels import LABELS, for_level, i18n, labels, language
from .newest import NUMBERED, newest_only, request_number

SWEEP_TEMPERATURES = [round(T_MIN + i * T_STEP, 2) for i in range(round((T_MAX - T_MIN) / T_STEP) + 1)]


def sweep_page(prompt, top_k, model, request: gr.Request):
    """The top-k tokens' probabilities and the entropy over T; the tokens go on to the legend."""
    try:
        return sweep_view(prompt, top_k, model, language(request))
    except chargen.ChargenError as error:
        return refuse(error, labels(request), 4)


@shared
def sweep_view(prompt, top_k, model, language):
    """The sweep's charts, tokens and intro: they depend on the inputs alone, so a class shares them."""
    gen = generator(model)
    words = for_level(LABELS[language], gen.vocab.level)
    stepper = gen.start(prompt, alternatives=top_k, limits=LIMITS)  # reads the prompt; nothing is generated
    top = [(shown(p.token), p.id) for p in stepper.proposals(1.0)]
    sweep = stats.temperature_sweep(stepper.probabilities(), SWEEP_TEMPERATURES)
    probabilities = pd.DataFrame([(t, token, float(p_t[token_id])) for t, p_t, _ in sweep for token, token_id in top],
                                 columns=["T", "token", "p"])
    return (gr.LinePlot(probabilities, label=words["sweep_probs"]),
            pd.DataFrame([(t, bits) for t, _, bits in sweep], columns=["T", "bits"]),
            [token for token, _ in top], words["sweep_intro"])



def legend(tokens):
    """Gradio 6.31's LinePlot keeps its first legend for new data: give it this data's tokens after the data."""
    return gr.LinePlot(colors_in_legend=tokens)


def build(model_box):
    with gr.Tab(i18n("tab_sweep"), id="sweep") as tab:
        intro = gr.Markdown(i18n("sweep_intro"), elem_id="sweep-intro")
        with gr.Row(equal_height=True):
            prompt = prompt_box("sweep-prompt", scale=3)
            top_k = gr.Slider(1, MAX_TOP_K, 5, step=1, label=i18n("top_k"), scale=2, elem_id="sweep-top-k")
            show_button = gr.Button(i18n("show"), variant="primary", scale=1, elem_id="sweep-button")
        with gr.Row():
            # T's ticks as short as they go (0, 0.2, ..., 1, ..., 3): at 16 px "0.0" and "3.0" ran into their neighbours.
            t_axis = dict(x="T", x_axis_format="~g", min_width=300)
            probabilities = gr.LinePlot(y="p", color="token", y_lim=[0, 1], y_axis_format=".0%", y_title=i18n("probability"),
                                        color_title="", label=i18n("sweep_probs"),  # (a title read as the axis's)
                                        elem_id="sweep-probabilities", **t_axis)
            entropy = gr.LinePlot(y="bits", y_title=i18n("bits"), label=i18n("sweep_entropy"), elem_id="sweep-entropy",
                                  **t_axis)
        lesson_examples(prompt)
        tokens, number = gr.State(), request_number()

    # The sweep follows the model and is drawn when its tab is shown.
    gr.on([show_button.click, prompt.submit, top_k.release, model_box.change, tab.select],
          newest_only("sweep")(sweep_page), [prompt, top_k, model_box, number], [probabilities, entropy, tokens, intro],
          js=NUMBERED, trigger_mode="always_last",
          **PAGE_EVENT).then(legend, tokens, probabilities, **PAGE_EVENT)
    gr.on([show_button.click, prompt.submit], None, js=bring_into_view("sweep-probabilities"), **PAGE_EVENT)
