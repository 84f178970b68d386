"""chargen's web demo: see what temperature does to a character-level LSTM.

    python app.py [--share] [BUNDLE_DIR ...]

Serves the shipped bundles (and any bundle directories given) on Gradio's
GRADIO_SERVER_NAME / GRADIO_SERVER_PORT, 127.0.0.1:7860 unless told otherwise.
Five views: Generate, Compare, Step through, Temperature sweep, About the model.
This file composes the views (views/: one module per tab); nothing here decodes.
Named API endpoints: /generate, /compare, /lesson_grid (JSON, seeded: the same
inputs give the same result).
"""
import argparse
import inspect
import os
import sys
import threading
import types
from functools import cache
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# Gradio's queue summarizes its event log (a pandas DataFrame of up to 10,000 events) after every
# event by default; under 30 users that was a tenth of the server's CPU. Every 100 events is plenty.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "100")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: see chargen/__init__.py

import gradio as gr  # noqa: E402

from views import about, api, compare, generate, step, sweep  # noqa: E402
from views.common import DEFAULT_MODEL, MODELS, generator  # noqa: E402
from views.labels import i18n  # noqa: E402


init_signature = cache(inspect.signature)


def component_signature(obj, **options):
    """inspect.signature, cached for constructors (a few dozen classes; handlers may be made per call)."""
    if not options and inspect.isfunction(obj) and obj.__name__ == "__init__":
        return init_signature(obj)
    return inspect.signature(obj, **options)


# Gradio builds every component's config afresh for each new session (gradio/state_holder.py) and
# calls inspect.signature(cls.__init__) once per component each time (Block.get_config): 10 of the
# 15 ms a new session cost this 140-component page, on the server's event loop, so 30 people arriving
# at once stalled every request for half a second. A class's signature never changes: cache it there.
gr.blocks.inspect = types.SimpleNamespace(**{**vars(inspect), "signature": component_signature})

# Requests waiting beyond this many are refused at once ("Queue is full") rather than left to time out.
MAX_QUEUE = int(os.environ.get("CHARGEN_MAX_QUEUE", "64"))


def parse_args(argv):
    parser = argparse.ArgumentParser(description="chargen's web demo (Gradio's environment variables set host and port)")
    parser.add_argument("bundles", nargs="*", help="bundle directories to offer beside the shipped ones")
    parser.add_argument("--share", action="store_true", help="also serve through a public Gradio link")
    args = parser.parse_args(argv)
    for bundle in args.bundles:
        if not Path(bundle).is_dir():
            parser.error(f"{bundle}: not a bundle directory")
    return args


ARGS = parse_args(sys.argv[1:] if __name__ == "__main__" else [])
MODELS.extend(ARGS.bundles)  # before the views lay out their model choices

with gr.Blocks(title="chargen: temperature") as demo:
    with gr.Row(equal_height=True):
        with gr.Column(scale=3):
            gr.Markdown(i18n("title"))
        model_box = gr.Dropdown(MODELS, value=DEFAULT_MODEL, label=i18n("model"), scale=1, elem_id="model")
    gr.Markdown(i18n("intro"), elem_classes="intro")
    with gr.Tabs():
        for view in (generate, compare, step, sweep, about):
            view.build(model_box, demo.load)

    gr.api(api.generate, api_name="generate")
    gr.api(api.compare, api_name="compare")
    gr.api(api.lesson_grid, api_name="lesson_grid")

# Large type and strong contrast for a projector; Gradio's own fonts, so nothing loads from elsewhere.
THEME = gr.themes.Default(primary_hue="indigo", text_size=gr.themes.sizes.text_lg)
CSS = """
.intro p { font-size: 1.15rem; }
/* Generated text reads as text: no gaps between the coloured pieces, large monospaced type. */
#generated .token, #stepped .token { margin: 0; padding: 0.1em 0; border-radius: 0; }
#generated .textfield, #stepped .textfield { gap: 0; row-gap: 0.4em; }
#generated .text, #stepped .text { font-family: var(--font-mono); font-size: 1.6rem; }
#proposals button { font-family: var(--font-mono); font-size: 1.4rem; }
"""


if __name__ == "__main__":
    # Loading imports TensorFlow (seconds): do it while the server starts, so the page is served sooner.
    threading.Thread(target=generator, args=[DEFAULT_MODEL], daemon=True).start()
    # Two cores; decoding is fast, so a short queue moves quickly. Queue positions go out every 2 s,
    # not to every waiting client each time a job starts (under 30 users, 13% of the server's CPU).
    demo.queue(default_concurrency_limit=2, max_size=MAX_QUEUE, status_update_rate=2)
    demo.launch(share=ARGS.share, i18n=i18n, theme=THEME, css=CSS)
