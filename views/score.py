"""Score a headline: GLTR's view on our model. Each character (or word) of a real title is coloured by its
rank among the model's guesses at T = 1; a click shows what the model expected there. Two models side by side."""
from html import escape

import gradio as gr

import chargen
from chargen.decode import MAX_PROMPT_CHARS

from .common import MODELS, PAGE_EVENT, bring_into_view, generator, refuse, shown
from .compare import html_table
from .labels import i18n, labels, number, percent
from .newest import NUMBERED, newest_only, request_number

# One headline from the models' training titles, one from the test titles they never saw.
EXAMPLES = ["Report: Bribes Got Bomb Suspects on Planes (AP)", "Prediction Unit Helps Forecast Wildfires (AP)"]
# GLTR's four colours (green, yellow, red, purple), in Okabe and Ito's colour-blind-safe shades, by rank: one
# scale for characters and words, so a colour means the same on both sides (a character rarely ranks past 100).
RANK_BANDS = (1, 10, 100)
RANK_COLOURS = ("#009e73", "#f0e442", "#d55e00", "#cc79a7")
NO_SECOND = "—"


def rank_bands(words) -> list[tuple[int, str]]:
    """(highest rank, legend label) of each colour."""
    first, second, third = RANK_BANDS
    n = lambda k: number(k, words)  # noqa: E731
    names = [words["rank_first"], f"{n(first + 1)}–{n(second)}", f"{n(second + 1)}–{n(third)}", f"> {n(third)}"]
    return list(zip((first, second, third, float("inf")), names))


def legend_colours(words) -> dict:
    """Each band's colour under its name: the legend of the ranks, in the reader's language."""
    return {name: colour for (_, name), colour in zip(rank_bands(words), RANK_COLOURS)}


def pieces(gen, score) -> list[str]:
    """What a reader sees of each scored token: the character, or the word as written (also one the
    vocabulary lacks, which the model read as <unk>); the end of the title as ⏎."""
    written = gen.vocab.tokenize(gen.vocab.display(score.text)) if gen.vocab.level == "word" else []
    texts = gen.vocab.pieces(written) if len(written) == len(score.tokens) - 1 else [t.token for t in score.tokens[:-1]]
    return [*texts, "⏎"]


def scored(gen, text, words):
    """(made-by line, the coloured pieces with their legend, the score, the line before a click: "Click a
    word to see ...") for one model, in its unit."""
    score = gen.score(text, alternatives=5)
    bands = rank_bands(words)
    coloured = [(piece, next(name for highest, name in bands if token.rank <= highest))
                for piece, token in zip(pieces(gen, score), score.tokens)]
    summary = words["score_summary"].format(bpc=number(score.bits_per_char, words, 2), bits=number(score.bits, words, 1),
                                            n=number(score.characters, words))
    drawn = gr.HighlightedText(coloured, color_map=legend_colours(words), label=words["score_ranks"])
    waiting = f"<p>{escape(words['score_click'])}</p>"  # until a click asks what the model expected
    return f"{gen.name} ({words[f'units_{gen.vocab.level}']}): {summary}", drawn, score, waiting


def score_page(text, model, other, request: gr.Request):
    words = labels(request)
    try:
        if not isinstance(text, str) or not text.strip():
            raise chargen.ChargenError(words["score_empty"])
        results = [scored(generator(m), text, labels(request, generator(m).vocab.level))
                   for m in (model, other) if m not in (None, NO_SECOND)]
    except chargen.ChargenError as error:
        return refuse(error, words, 8)
    return [*results[0], *(results[1:] or [(words["score_no_second"], [], None, "")])[0]]


def expected(score, evt: gr.SelectData, request: gr.Request):
    """What the model expected at the clicked token: its top guesses, the token's own rank and bits."""
    words = labels(request)
    if score is None or not isinstance(evt.index, int) or not 0 <= evt.index < len(score.tokens):
        return gr.skip()
    token = score.tokens[evt.index]
    title = words["score_expected"].format(token=shown(token.token), rank=number(token.rank, words),
                                           p=percent(token.prob, words), bits=number(token.bits, words, 1))
    rows = [(shown(a.token), percent(a.p_t1, words)) for a in token.top]
    return f"<p>{escape(title)}</p>" + html_table("expected", [words["token"], words["p_t1"]], rows)


def build(model_box):
    with gr.Tab(i18n("tab_score"), id="score") as tab:
        gr.Markdown(i18n("score_intro"))
        with gr.Row(equal_height=True):
            headline = gr.Textbox(EXAMPLES[0], label=i18n("headline"), max_length=MAX_PROMPT_CHARS, scale=4,
                                  elem_id="score-text")
            other = gr.Dropdown([NO_SECOND, *MODELS], value="words" if "words" in MODELS else NO_SECOND,
                                label=i18n("score_with"), scale=1, min_width=160, elem_id="score-other")
            score_button = gr.Button(i18n("score_button"), variant="primary", scale=1, elem_id="score-button")
        gr.Examples([[e] for e in EXAMPLES], [headline], label=i18n("score_examples"), api_visibility="private")
        with gr.Row():
            with gr.Column(min_width=300):
                made_a = gr.Markdown(elem_classes="made-by", elem_id="score-made-a")
                text_a = gr.HighlightedText(label=i18n("score_ranks"), show_legend=True, show_inline_category=False,
                                            elem_id="scored-a", elem_classes="scored")
                expected_a = gr.HTML(elem_id="expected-a")
            with gr.Column(min_width=300):
                made_b = gr.Markdown(elem_classes="made-by", elem_id="score-made-b")
                text_b = gr.HighlightedText(label=i18n("score_ranks"), show_legend=True, show_inline_category=False,
                                            elem_id="scored-b", elem_classes="scored")
                expected_b = gr.HTML(elem_id="expected-b")
        score_a, score_b, number = gr.State(), gr.State(), request_number()

    gr.on([score_button.click, headline.submit, other.change, model_box.change, tab.select],
          newest_only("score")(score_page), [headline, model_box, other, number],
          [made_a, text_a, score_a, expected_a, made_b, text_b, score_b, expected_b], js=NUMBERED, trigger_mode="always_last",
          **PAGE_EVENT)
    gr.on([score_button.click, headline.submit], None, js=bring_into_view("score-made-a"), **PAGE_EVENT)
    text_a.select(expected, score_a, expected_a, **PAGE_EVENT)
    text_b.select(expected, score_b, expected_b, **PAGE_EVENT)
