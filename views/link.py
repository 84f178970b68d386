"""Links: "link to this" puts a view's inputs in the page's address (its query string); opening that address
selects the view, fills its inputs and decodes the same text.

    ?view=generate&model=lesson&epoch=8&prompt=Today+&T=0.8&length=100&seed=42&alternatives=5
    ?view=compare&model=default&prompt=Moscow%2C+&T=greedy,0.3,1.0&length=100&seed=0&with=words

T is "greedy" or a number (Compare: a comma-separated list); top_k, top_p and min_p appear when set, and on
Compare then plain (1: each temperature also without them, 0: not).
"""
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import gradio as gr

from .common import GREEDY, MODELS, PAGE_EVENT, SAMPLED, TEMPERATURE_CHOICES, snapshot_names, temperature_choice
from .labels import i18n, labels, snapshot_of
from .progress import epoch_control
from .samplers import truncation

SAMPLERS = {"top_k": int, "top_p": float, "min_p": float}
# Opening a link: the page's script asks the server for the inputs only when the address carries a view, so
# an ordinary page open costs no event.
OPEN_LINK = """() => {
  if (new URLSearchParams(location.search).has("view")) document.getElementById("link-open")?.click();
}"""
# Once the inputs are filled in, the view decodes as if its button were pressed.
PRESS = """() => {
  const view = new URLSearchParams(location.search).get("view");
  document.getElementById(view === "compare" ? "compare-button" : "generate-button")?.click();
}"""
SHOW_IN_ADDRESS_BAR = "(url) => { if (url) history.replaceState(null, '', url); }"


def address(page_url, view, model, **inputs) -> str:
    """The page's address with a view's inputs as its query (``model`` split into model and epoch)."""
    snapshot = snapshot_of(model)
    where = {"model": snapshot[0], "epoch": snapshot[1]} if snapshot else {"model": model}
    query = {"view": view, **where, **{name: value for name, value in inputs.items() if value not in (None, "")}}
    return urlunsplit(urlsplit(page_url)._replace(query=urlencode(query), fragment=""))


def written(temperature) -> str:
    return "greedy" if temperature_choice(temperature) is None else f"{float(temperature):g}"


def generation_link(page_url, out, length):
    """The link to the generation shown: its own prompt, decoding and seed (a blank seed field drew one)."""
    if out is None:
        return gr.skip()
    samplers = {name: getattr(out, name) for name in SAMPLERS}
    url = address(page_url, "generate", out.model, prompt=out.prompt, T=written(None if out.greedy else out.temperature),
                  length=length, seed=out.seed, alternatives=out.alternatives, **samplers)
    return gr.Textbox(url, visible=True)


def comparison_link(page_url, prompt, temperatures, length, seed, model, other, top_k, top_p, min_p, plain_too):
    """The comparison's inputs; with samplers on, also whether each temperature shows without them too."""
    samplers = truncation(top_k, top_p, min_p)
    plain = int(bool(plain_too)) if any(value is not None for value in samplers.values()) else None
    url = address(page_url, "compare", model, prompt=prompt, T=",".join(map(written, temperatures or [])),
                  length=length, seed=seed, **{"with": other}, **samplers, plain=plain)
    return gr.Textbox(url, visible=True)


def link_button(handler, inputs, elem_id):
    """A small "link to this" button and the box that shows the link (hidden until asked); the address bar
    shows it too, so a bookmark or a copied address opens the same view."""
    button = gr.Button(i18n("link"), size="sm", scale=0, min_width=140, elem_id=f"{elem_id}-button")
    box = gr.Textbox(label=i18n("link_url"), visible="hidden", buttons=["copy"], scale=3, min_width=300,
                     elem_id=elem_id)
    # The browser's own address goes in first (the page may sit behind another host name or path).
    button.click(handler, [box, *inputs], box, js="(here, ...inputs) => [location.href, ...inputs]", **PAGE_EVENT).then(
        None, box, js=SHOW_IN_ADDRESS_BAR, **PAGE_EVENT)
    return button


# -- opening a link ------------------------------------------------------------------------------------------

def model_in(query) -> str | None:
    """The model a link names (with its epoch: a snapshot), if the page offers it."""
    model, epoch = query.get("model"), query.get("epoch")
    if model not in MODELS:
        return None
    if epoch is None:
        return model
    return dict((str(e), name) for e, name in snapshot_names(model)).get(epoch)


def number_in(query, name, kind):
    try:
        return kind(query[name]) if name in query else gr.skip()
    except ValueError:
        return gr.skip()  # a mangled number leaves the field as it was


def generate_inputs(query, fields) -> dict:
    temperature = query.get("T", "")
    greedy = temperature.lower() == "greedy"
    updates = {fields["prompt"]: query.get("prompt", gr.skip()), fields["seed"]: query.get("seed", gr.skip()),
               fields["length"]: number_in(query, "length", int),
               fields["alternatives"]: number_in(query, "alternatives", int),
               fields["decoding"]: GREEDY if greedy else SAMPLED if temperature else gr.skip(),
               fields["temperature"]: gr.skip() if greedy else number_in(query, "T", float)}
    return updates | sampler_inputs(query, fields)


def compare_inputs(query, fields) -> dict:
    offered = {written(choice): choice for choice in TEMPERATURE_CHOICES}
    temperatures = [offered[t] for t in query.get("T", "").split(",") if t in offered]
    other = query.get("with", "")
    updates = {fields["prompt"]: query.get("prompt", gr.skip()), fields["length"]: number_in(query, "length", int),
               fields["seed"]: number_in(query, "seed", int), fields["temperatures"]: temperatures or gr.skip(),
               fields["other"]: other if other in ("", *MODELS) else gr.skip(),
               fields["plain_too"]: query["plain"] != "0" if "plain" in query else gr.skip()}
    return updates | sampler_inputs(query, fields)


def sampler_inputs(query, fields) -> dict:
    return {fields[name]: number_in(query, name, kind) for name, kind in SAMPLERS.items() if name in fields}


VIEWS = {"generate": generate_inputs, "compare": compare_inputs}


def opened(search, tabs, model_box, views, words):
    """The updates a link's query asks for: the view's tab, the page's model, the view's inputs and its
    "after epoch" choice; what the page does not offer stays as it was."""
    query = dict(parse_qsl(search.lstrip("?")))
    view = query.get("view")
    if view not in VIEWS:
        return {tabs: gr.skip()}
    fields, model = views[view], model_in(query)
    updates = {tabs: gr.Tabs(selected=view), **VIEWS[view](query, fields)}
    if model:  # every view's "after epoch" follows the page's model; the linked view's takes the link's epoch
        base = snapshot_of(model)[0] if snapshot_of(model) else model
        updates |= {model_box: base} | {other["model"]: epoch_control(base, model, words) for other in views.values()}
    return updates


def open_links(tabs, model_box, views):
    """Wire the page to open links: ``views`` maps a view's name to its fields ({"prompt": component, ...,
    "model": its "after epoch" choice}). Returns the script the page runs when it opens."""
    search = gr.Textbox(visible="hidden", elem_id="link-search")
    button = gr.Button(visible="hidden", elem_id="link-open")
    outputs = [tabs, model_box, *(component for fields in views.values() for component in fields.values())]

    def open_link(search, request: gr.Request):
        return opened(search, tabs, model_box, views, labels(request))

    button.click(open_link, search, outputs, js="() => [location.search]", **PAGE_EVENT).then(None, js=PRESS,
                                                                                              **PAGE_EVENT)
    return OPEN_LINK
