"""Step through: the model proposes its next tokens; pick one, sample one, take the greedy one, or undo."""
import gradio as gr

import chargen

from .bars import bar_block
from .newest import NUMBERED, newest_only, request_number
from .common import (
    BAND_COLOURS, LIMITS, MAX_SEED, MAX_TOP_K, PAGE_EVENT, T_MAX, T_MIN, T_STEP, Refusal, bring_into_view,
    coloured, generator, lesson_examples, prompt_box, refuse, shown, warn_unknown,
)
from .labels import i18n, labels, made_by, percent
from .samplers import (
    distribution_charts, draw, drawn_bars, draws_line, order_line, order_markdown, sampler_controls, truncation,
)

# stepper, text, a button per proposal, bars at T=1, at T and drawn, the draws' line, the order of operations,
# status, intro, text label
OUTPUTS = 10 + MAX_TOP_K
REDRAWS = ("view", "draw")  # actions that leave the text as it is


def stepper_view(stepper, model, temperature, seed, top_k, cut, words, action=None, draws=None):
    """The text so far, one button per proposal, their bars at T=1 and at T (and the draws beside them),
    the order of operations, and where we are."""
    proposals = [] if stepper.ended else stepper.proposals(temperature, k=top_k, **cut)
    buttons = [gr.Button(f"{shown(p.token)}  {percent(p.p, words)}", visible=True) for p in proposals]
    buttons += [gr.Button(visible=False)] * (MAX_TOP_K - len(buttons))
    charts = distribution_charts(stepper.distribution(temperature, **cut), [p.id for p in proposals], None, words, draws)
    level = stepper.gen.vocab.level
    made = made_by(model, level, temperature, seed, words, cut)
    status = words["step_status"].format(n=len(stepper.steps), made_by=made) + (words["step_ended"] if stepper.ended else "")
    text = coloured(stepper.gen.prompt_text(stepper.prompt), stepper.steps)
    return [stepper, gr.skip() if action in REDRAWS else gr.HighlightedText(text, label=words["text_so_far"]), *buttons,
            *charts, draws_line(draws, temperature, words) if draws else "", order_line(dict(temperature=temperature, **cut), words),
            status, words["step_intro"], gr.Markdown(words["proposals"])]


def step_page(action, stepper, prompt, temperature, seed, top_k, model, cut_k, cut_p, cut_min, request: gr.Request):
    """Start (or open the tab), choose proposal i, sample, take the greedy one, undo, draw the next step 1,000
    times, or just redraw (T, k or a sampler changed)."""
    words = labels(request)
    draws = None
    try:
        if action == "open" and stepper is not None:  # back on the tab: it shows where the student was
            return [gr.skip()] * OUTPUTS
        if action in ("start", "open"):
            stepper = generator(model).start(prompt, alternatives=MAX_TOP_K, limits=LIMITS)
        elif stepper is None:
            raise Refusal("start_first")
        cut = truncation(cut_k, cut_p, cut_min)
        proposals = stepper.proposals(temperature, k=top_k, **cut)  # the core checks every setting before anything changes
        words = labels(request, stepper.gen.vocab.level)
        if action in ("start", "open"):
            warn_unknown(stepper.unknown, stepper.gen.vocab.level, words)
        elif action == "sample":
            stepper.sample(temperature, seed=seed, **cut)
        elif action == "greedy":
            stepper.greedy()
        elif action == "undo":
            stepper.undo()
        elif action == "draw" and not stepper.ended:
            draws = draw(stepper.distribution(temperature, **cut))
        elif isinstance(action, int):  # the button of proposal i
            stepper.choose(proposals[action].id, temperature=temperature, **cut)
    except chargen.ChargenError as error:
        return refuse(error, words, OUTPUTS)
    return stepper_view(stepper, model, temperature, seed, top_k, cut, words, action, draws)


def step_handler(action):
    """step_page for one action. The action is bound here, not passed in a gr.State: a component made beside
    the tab would sit in gr.Tabs between two views, and the browser would add each later tab to the bar again
    once shown. (Not functools.partial: Gradio would not see the request's annotation, nor send the language.)
    A redraw answers only if no newer action came since; an action that changes the text always answers."""
    @newest_only("step", drops=action in REDRAWS)
    def step_action(stepper, prompt, temperature, seed, top_k, model, cut_k, cut_p, cut_min, request: gr.Request):
        return step_page(action, stepper, prompt, temperature, seed, top_k, model, cut_k, cut_p, cut_min, request)
    return step_action


def build(model_box):
    """The Step through tab: controls beside the text, the proposals and their bars; started when the tab is
    first shown."""
    with gr.Tab(i18n("tab_step"), id="step") as tab:
        with gr.Row():
            with gr.Column(scale=2, min_width=300):
                prompt = prompt_box("step-prompt")
                start_button = gr.Button(i18n("start"), variant="primary", elem_id="start-button")
                temperature = gr.Slider(T_MIN, T_MAX, 1.0, step=T_STEP, label=i18n("temperature"),
                                        elem_id="step-temperature")
                seed = gr.Number(0, label=i18n("seed"), precision=0, minimum=0, maximum=MAX_SEED, elem_id="step-seed")
                samplers = sampler_controls("step")
                top_k = gr.Slider(1, MAX_TOP_K, 5, step=1, label=i18n("top_k"), elem_id="step-top-k")
                lesson_examples(prompt)
                intro = gr.Markdown(i18n("step_intro"), elem_id="step-intro")
            with gr.Column(scale=3, min_width=300):
                status = gr.Markdown(elem_id="step-status", elem_classes="made-by")
                stepped = gr.HighlightedText(label=i18n("text_so_far"), color_map=BAND_COLOURS, show_legend=True,
                                             show_inline_category=False, elem_id="stepped")
                proposals_title = gr.Markdown(i18n("proposals"))
                with gr.Row(elem_id="proposals"):
                    proposal_buttons = [gr.Button(visible=False, min_width=70, elem_classes="proposal")
                                        for _ in range(MAX_TOP_K)]
                with gr.Row():
                    sample_button = gr.Button(i18n("sample"), elem_id="sample-button", min_width=90)
                    greedy_button = gr.Button(i18n("take_greedy"), elem_id="greedy-button", min_width=90)
                    undo_button = gr.Button(i18n("undo"), elem_id="undo-button", min_width=90)
                with gr.Row():
                    bars_t1 = bar_block("bars_t1", "step-bars-t1")
                    bars_t = bar_block("bars_t_step", "step-bars-t")
                    bars_drawn = drawn_bars("step-bars-drawn")
                order = order_markdown("step-order")
                with gr.Row(equal_height=True):
                    draw_button = gr.Button(i18n("draw"), elem_id="step-draw-button", scale=0, min_width=200)
                    draws = gr.Markdown(elem_id="step-draws")
        stepper, number = gr.State(), request_number()

    # Every action goes through step_page and redraws the whole state. A temperature typed in (Enter)
    # or dragged to (as it moves) redraws the proposals and bars, not the text; the last change wins.
    inputs = [stepper, prompt, temperature, seed, top_k, model_box, *samplers, number]
    outputs = [stepper, stepped, *proposal_buttons, bars_t1, bars_t, bars_drawn, draws, order, status, intro,
               proposals_title]
    actions = {"start": [start_button.click, prompt.submit, model_box.change], "open": [tab.select],
               "sample": [sample_button.click], "greedy": [greedy_button.click], "undo": [undo_button.click],
               "view": [temperature.change, top_k.change, *(s.change for s in samplers)], "draw": [draw_button.click]}
    actions.update({i: [button.click] for i, button in enumerate(proposal_buttons)})
    for action, triggers in actions.items():
        gr.on(triggers, step_handler(action), inputs, outputs, js=NUMBERED, trigger_mode="always_last",
              show_progress="hidden" if action in REDRAWS else "full", **PAGE_EVENT)
    gr.on([start_button.click, prompt.submit], None, js=bring_into_view("step-status"), **PAGE_EVENT)
