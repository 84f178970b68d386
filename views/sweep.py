"""Temperature sweep: how the next-token distribution after a prompt, and its entropy, change with T."""
import gradio as gr
import pandas as pd

import chargen
from chargen import stats

from .common import (
    LIMITS, MAX_TOP_K, PAGE_EVENT, T_MAX, T_MIN, T_STEP, generator, lesson_examples, prompt_box, refuse, shared, shown,
)
from .labels import LABELS, for_level, i18n, labels, language

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
            probabilities = gr.LinePlot(x="T", y="p", color="token", y_lim=[0, 1], y_title=i18n("probability"),
                                        color_title=i18n("token"), label=i18n("sweep_probs"), min_width=300,
                                        elem_id="sweep-probabilities")
            entropy = gr.LinePlot(x="T", y="bits", y_title=i18n("bits"), label=i18n("sweep_entropy"), min_width=300,
                                  elem_id="sweep-entropy")
        lesson_examples(prompt)
        tokens = gr.State()

    # The sweep follows the model and is drawn when its tab is shown.
    gr.on([show_button.click, prompt.submit, top_k.release, model_box.change, tab.select], sweep_page,
          [prompt, top_k, model_box], [probabilities, entropy, tokens, intro], trigger_mode="always_last",
          **PAGE_EVENT).then(legend, tokens, probabilities, **PAGE_EVENT)
