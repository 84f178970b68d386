"""About the model: the bundle's card in plain words, and what temperature means."""
from pathlib import Path

import gradio as gr

import chargen

from . import progress
from .common import PAGE_EVENT, generator, refuse, shared
from .labels import LABELS, for_level, i18n, labels, language, number


def card_facts(gen, words) -> list[tuple[str, str]]:
    """(what, value) rows of the card, in the reader's language, in the model's unit."""
    card, arch, data = gen.card, gen.card.architecture, gen.card.data
    input_layer = words["card_embedding"].format(n=arch.embedding) if arch.embedding else words["card_one_hot"]
    rows = [
        (words["card_architecture"], words["card_units"].format(
            cell=arch.cell.upper(), layers=arch.layers, size=arch.units, input=input_layer)),
        (words["card_vocabulary"], words["card_tokens"].format(n=number(len(gen.vocab), words),
                                                               kind=words[f"units_{gen.vocab.level}"])),
    ]
    if card.parameters is not None:
        rows.append((words["card_parameters"], number(card.parameters, words)))
    if data is not None:
        details = [" + ".join(words.get(f"field_{f}", f) for f in data.fields)] if data.fields else []
        if data.train_rows is not None:
            details.append(words["card_rows"].format(n=number(data.train_rows, words)))
        rows.append((words["card_data"], ", ".join([Path(data.source).name, *details])))
    if card.epochs is not None:
        rows.append((words["card_epochs"], str(card.epochs)))
    if card.training_seconds is not None:
        minutes, seconds = divmod(round(card.training_seconds), 60)
        rows.append((words["card_time"], words["card_minutes"].format(m=minutes, s=seconds)))
    if card.validation is not None:  # per token: per word for a word model (words follow the model's level)
        rows.append((words["card_val"], number(card.validation.bits_per_token, words, 3)))
    if card.test is not None:  # always per character, so the levels compare
        rows.append((words["card_test"], number(card.test.bits_per_char, words, 3)))
        if gen.vocab.level == "word" and card.test.bits_per_token is not None:
            rows.append((words["card_test_words"], number(card.test.bits_per_token, words, 3)))
    return rows


def card_page(model, request: gr.Request):
    try:
        generator(model)
    except chargen.ChargenError as error:
        return refuse(error, labels(request), 2)
    return card_view(model, language(request))


@shared
def card_view(model, language):
    """The bundle's card in plain words, and the whole card as it is on disk."""
    gen = generator(model)
    facts = "\n".join(f"- **{name}**: {value}" for name, value in card_facts(gen, for_level(LABELS[language], gen.vocab.level)))
    return f"### {gen.name}\n\n{facts}", gen.card.to_dict()


def build(model_box):
    with gr.Tab(i18n("tab_about"), id="about") as tab:
        with gr.Row():  # side by side on a wide screen, one above the other on a phone
            with gr.Column(min_width=300):
                card_text = gr.Markdown(elem_id="card")
            with gr.Column(min_width=300):
                gr.Markdown(i18n("about"), elem_id="about")
        with gr.Accordion(i18n("guide_title"), open=False, elem_id="guide"):  # docs/teaching.md, docs/lesgeven.md
            gr.Markdown(i18n("guide"))
        progress.learning_curve(model_box, tab)
        with gr.Accordion(i18n("full_card"), open=False):
            card_json = gr.JSON(show_label=False)

    gr.on([model_box.change, tab.select], card_page, model_box, [card_text, card_json], **PAGE_EVENT)
