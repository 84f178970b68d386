"""Training progress: a model's snapshots from its own training as model choices ("after epoch"), and its
learning curve for About. Only a model that ships snapshots (the lesson model) shows either."""
import gradio as gr
import pandas as pd

import chargen

from .common import PAGE_EVENT, generator, refuse, shared, snapshot_names
from .labels import LABELS, i18n, labels, language, number, snapshot_of


def epoch_choices(model, words) -> list[tuple[str, str]]:
    """(label, model name) per snapshot, earliest first, then the trained model itself."""
    trained = words["epoch_trained"].format(n=generator(model).card.epochs)
    return [(str(epoch), name) for epoch, name in snapshot_names(model)] + [(trained, model)]


def epoch_info(name, words) -> str:
    """What the chosen snapshot scores on the test titles, beside the trained model."""
    snapshot = snapshot_of(name)
    if snapshot is None:
        return words["after_epoch_info"]
    trained = generator(snapshot[0]).card
    return words["epoch_bits"].format(epoch=snapshot[1], bits=number(generator(name).card.test.bits_per_char, words, 3),
                                      n=trained.epochs, final=number(trained.test.bits_per_char, words, 3))


def epoch_control(model, chosen, words) -> gr.Radio:
    """The control for ``model``: its snapshots (``chosen`` stays if it is one of them), hidden for a model
    without any; its value is always the model that decodes."""
    choices = epoch_choices(model, words) if snapshot_names(model) else [(model, model)]
    value = chosen if chosen in [name for _, name in choices] else model
    return gr.Radio(choices, value=value, visible=bool(snapshot_names(model)),
                    info=epoch_info(value, words))


def follow_model(model, chosen, request: gr.Request):
    try:
        return epoch_control(model, chosen, labels(request))
    except chargen.ChargenError as error:
        return refuse(error, labels(request))


def describe(chosen, request: gr.Request):
    try:
        return gr.Radio(info=epoch_info(chosen, labels(request)))
    except chargen.ChargenError as error:
        return refuse(error, labels(request))


def after_epoch(model_box, elem_id) -> gr.Radio:
    """The "after epoch" choice of a view: its value is what the view's results decode with (the model, or
    one of its snapshots); it follows the page's model."""
    model = model_box.value
    control = epoch_control(model, model, LABELS["en"])  # the page opens on a model without snapshots
    radio = gr.Radio(control.choices, value=model, label=i18n("after_epoch"), info=i18n("after_epoch_info"),
                     visible=control.visible, elem_id=elem_id, elem_classes="after-epoch")
    # A person's choice only: a link sets the model and its epoch at once (the page's change event would read
    # the epoch before the link's arrived, and undo it).
    model_box.input(follow_model, [model_box, radio], radio, **PAGE_EVENT)
    radio.input(describe, radio, radio, show_progress="hidden", **PAGE_EVENT)
    return radio


# -- About: the learning curve -----------------------------------------------------------------------------

def curve_data(model) -> pd.DataFrame:
    """Test bits per character after each snapshot's epoch, from the snapshots' cards."""
    return pd.DataFrame([(epoch, generator(name).card.test.bits_per_char) for epoch, name in snapshot_names(model)],
                        columns=["epoch", "bits"])


@shared
def curve_view(model, language):
    if not snapshot_names(model):
        return gr.LinePlot(visible=False)
    words = LABELS[language]  # (a LinePlot's axis titles are not translated in the browser)
    return gr.LinePlot(curve_data(model), label=words["curve"], x_title=words["epoch"], y_title=words["test_bits"],
                       visible=True)


def curve_page(model, request: gr.Request):
    try:
        return curve_view(model, language(request))
    except chargen.ChargenError as error:
        return refuse(error, labels(request))


def learning_curve(model_box, tab):
    """About's plot of the model's learning curve, drawn when the tab is shown (hidden without snapshots)."""
    plot = gr.LinePlot(x="epoch", y="bits", label=i18n("curve"), x_axis_format="d", height=260, visible=False,
                       elem_id="learning-curve")
    gr.on([model_box.change, tab.select], curve_page, model_box, plot, **PAGE_EVENT)
    return plot
