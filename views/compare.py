"""Compare: one prompt at several temperatures with one seed (optionally beside a second model), and the lesson grid.

Both tables are HTML of our own: they wrap to the screen's width, and on a phone each row stacks
into a card whose text reads in full.
"""
from html import escape

import gradio as gr

import chargen

from . import export, link, progress
from .common import (
    GREEDY, LESSON_PROMPTS, LESSON_TEMPERATURES, MAX_LENGTH, MAX_SEED, MODELS, PAGE_EVENT, TEMPERATURE_CHOICES,
    bring_into_view, comparison, generator, in_order, lesson_examples, model_level, prompt_box, refuse, row_stats, shared, side_by_side, warn_unknown,
)
from .labels import LABELS, for_level, i18n, labels, language, made_by_copied, number, percent, temperature_label
from .newest import NUMBERED, newest_only, request_number
from .samplers import sampler_controls, truncation

TEMPERATURES_START = [GREEDY, *(f"{t:.1f}" for t in LESSON_TEMPERATURES)]
# html_table's tables (Compare's, the lesson grid, Score's expectations), in both editions of the page.
TABLE_CSS = """
table.results { width: 100%; table-layout: fixed; border-collapse: collapse; font-size: 17px; }
table.results th, table.results td { text-align: left; vertical-align: top; padding: 6px 8px;
  border-bottom: 1px solid var(--border-color-primary); overflow-wrap: anywhere; }
table.results th { overflow-wrap: normal; font-weight: 600; }
table.results td:nth-child(2) { font-family: var(--font-mono); }
table.grid-table td:not(:first-child) { font-family: var(--font-mono); font-size: 16px; }
@media (max-width: 700px) {
  table.results colgroup, table.results thead { display: none; }
  table.results, table.results tbody, table.results tr, table.results td { display: block; width: auto; }
  table.results tr { border: 1px solid var(--border-color-primary); border-radius: 8px; margin-bottom: 10px; padding: 4px; }
  table.results td { border: none; padding: 2px 6px; }
  table.results td::before { content: attr(data-label) ": "; font-weight: 600; font-family: var(--font); }
}
"""
# The seed Compare and the lesson grid open on: each row goes from headline to garble as T rises, and nothing
# they show is unfit for a class (tests/test_clean_defaults.py; seed 0 wrote a crude word in the grid).
COMPARE_SEED = 8


def html_table(elem_class, header, rows, widths=None) -> str:
    """A table whose cells carry their column's name (a phone shows it beside the value, rows stacked: TABLE_CSS)."""
    columns = "".join(f'<col style="width: {w}">' for w in widths) if widths else ""
    head = "".join(f"<th scope='col'>{whole(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td data-label="{escape(h)}">{whole(cell)}</td>' for h, cell in zip(header, row)) + "</tr>"
        for row in rows
    )
    return f'<table class="results {elem_class}"><colgroup>{columns}</colgroup><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def whole(cell) -> str:
    """A cell's text as HTML, a setting kept on one line: "T = 0.3" never breaks into "T =" and "0.3"."""
    return escape(str(cell)).replace(" = ", "&nbsp;=&nbsp;")


def compare_page(prompt, temperatures, length, seed, model, other, cut_k, cut_p, cut_min, plain_too,
                 request: gr.Request):
    words = labels(request)
    try:
        ticked = tuple(temperatures) if isinstance(temperatures, list) else temperatures  # a list can be no key
        table, unknown = comparison_view(prompt, ticked, length, seed, model, other, language(request),
                                         (cut_k, cut_p, cut_min), plain_too)
    except chargen.ChargenError as error:
        return refuse(error, words)
    for name, tokens in unknown:  # once per model: what it lacks depends only on the prompt
        warn_unknown(tokens, model_level(name), words)
    return table


def comparison_table(prompt, temperatures, length, seed, model, other, language, samplers=(None,) * 3,
                     plain_too=False) -> tuple[str, tuple]:
    """The comparison as the page shows it, and what each model did not know of the prompt; with samplers
    on (and ``plain_too``) each temperature's rows without them come first."""
    rows = in_order(side_by_side(prompt, temperatures, length, seed, model, other, truncation(*samplers), plain_too))
    words = for_level(LABELS[language], "char")
    summaries = [row_stats(out, name) for name, out in rows]
    real_words = any(s["real_word_share"] is not None for s in summaries)  # not for word models alone
    header = [words[c] for c in ("made_by_label", "text", "mean_entropy", "bits_per_step")]
    header += [words["real_words"]] * real_words + [words["repeats"]]
    table = []
    for (name, out), s in zip(rows, summaries):
        row = [made_by_copied(generator(name), out, words), out.prompt + out.text,
               number(s["mean_entropy_bits"], words, 2), number(s["bits_per_step"], words, 2)]
        if real_words:
            row.append(words["not_available"] if s["real_word_share"] is None else percent(s["real_word_share"], words, 0))
        table.append([*row, percent(s["repeated_ngram_rate"], words, 0)])
    # the last column wider: its Dutch header, "herhaalde 4-grammen", ran into the border at 1024 px
    widths = ["16%", "37%", "11%", "11%", *["11%"] * real_words, "14%"] if real_words else ["17%", "47%", "11%", "11%", "14%"]
    unknown = tuple((name, tuple(out.unknown)) for name, out in dict(rows).items())
    return html_table("comparison-table", header, table, widths), unknown


comparison_view = shared(comparison_table)  # a class opening the tab computes its comparison once


def lesson_grid_page(length, seed, model, request: gr.Request):
    """The lesson's 5 prompts x 5 temperatures, one seed; what made it in the caption."""
    words = labels(request)
    try:
        level = model_level(model)
        grid = [comparison(prompt, LESSON_TEMPERATURES, length, seed, model) for prompt in LESSON_PROMPTS]
    except chargen.ChargenError as error:
        return refuse(error, words)
    header = [words["prompt"], *(temperature_label(t, words) for t in LESSON_TEMPERATURES)]
    rows = [[prompt, *(out.text for out in outs)] for prompt, outs in zip(LESSON_PROMPTS, grid)]
    caption = words["made_by_grid"].format(model=model, kind=words[f"units_{level}"], seed=seed)
    caption = f"<p class='made-by'>{escape(caption)}</p>"
    # the temperatures' columns as wide as they go: a 15-letter word fits one at 1024 px ("Communication/s" broke)
    return gr.HTML(caption + html_table("grid-table", header, rows, ["13%", *["17.4%"] * 5]), visible=True)


def build(model_box):
    with gr.Tab(i18n("tab_compare"), id="compare") as tab:
        with gr.Row():
            with gr.Column(scale=3, min_width=300):
                prompt = prompt_box("compare-prompt")
                temperatures = gr.CheckboxGroup([(i18n("greedy"), GREEDY), *TEMPERATURE_CHOICES[1:]],
                                                value=TEMPERATURES_START, label=i18n("temperatures"), elem_id="temperatures")
                lesson_examples(prompt)
            with gr.Column(scale=2, min_width=300):
                model = progress.after_epoch(model_box, "compare-epoch")  # the model, or one of its snapshots
                length = gr.Slider(1, MAX_LENGTH, 100, step=1, label=i18n("length"), info=i18n("length_info"),
                                   elem_id="compare-length")
                with gr.Row():
                    seed = gr.Number(COMPARE_SEED, label=i18n("seed"), precision=0, minimum=0, maximum=MAX_SEED,
                                     elem_id="compare-seed", min_width=100)
                    other = gr.Dropdown([(i18n("no_second_model"), ""), *MODELS], value="", label=i18n("compare_with"),
                                        info=i18n("compare_with_info"), elem_id="compare-with", min_width=200,
                                        scale=2)  # room for "geen tweede model" beside its caret
                *samplers, plain_too = sampler_controls("compare", plain_too=True)
                with gr.Row():
                    compare_button = gr.Button(i18n("compare"), variant="primary", elem_id="compare-button", min_width=100)
                    grid_button = gr.Button(i18n("lesson_grid"), elem_id="grid-button", min_width=200)  # on one line (CSS)
        gr.Markdown(i18n("compare_intro"))
        compared = [prompt, temperatures, length, seed, model, other, *samplers, plain_too]
        with gr.Row(elem_classes="share-row"):
            export.download_button(export.export_comparison, compared, "export_csv", "compare-csv")
            export.download_button(export.export_grid, [length, seed, model], "export_grid_csv", "grid-csv")
            link.link_button(link.comparison_link, compared, "compare-link")
        comparison_table = gr.HTML(elem_id="comparison")
        grid_table = gr.HTML(visible=False, elem_id="grid")
        number = request_number()

    # Drawn when the tab is first shown, not for everyone who opens the page. A new model redraws the
    # comparison and puts the old model's grid away.
    gr.on([compare_button.click, prompt.submit, model.change, tab.select], newest_only("compare")(compare_page),
          [*compared, number], comparison_table, js=NUMBERED, trigger_mode="always_last", **PAGE_EVENT)
    gr.on([compare_button.click, prompt.submit], None, js=bring_into_view("comparison"), **PAGE_EVENT)
    grid_button.click(newest_only("grid")(lesson_grid_page), [length, seed, model, number], grid_table, js=NUMBERED,
                      trigger_mode="always_last", **PAGE_EVENT).then(None, js=bring_into_view("grid"), **PAGE_EVENT)
    model.change(lambda: gr.HTML(visible=False), None, grid_table, **PAGE_EVENT)
    return dict(prompt=prompt, temperatures=temperatures, length=length, seed=seed, other=other, model=model,
                **dict(zip(("top_k", "top_p", "min_p"), samplers)), plain_too=plain_too)
