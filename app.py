"""chargen's web demo: see what temperature does to a character-level LSTM.

    python app.py [--share] [BUNDLE_DIR ...]

Serves the shipped bundles (and any bundle directories given) on Gradio's
GRADIO_SERVER_NAME / GRADIO_SERVER_PORT, 127.0.0.1:7860 unless told otherwise.
Six views: Generate, Compare, Step through, Temperature sweep, Score a headline, About the model.
This file composes the views (views/: one module per tab); nothing here decodes.
Named API endpoints: /generate, /compare, /lesson_grid (JSON, seeded: the same
inputs give the same result).
"""
import argparse
import ctypes
import ctypes.util
import datetime
import inspect
import json
import logging
import os
import shutil
import re
import sys
import threading
import time
import types
from collections import OrderedDict
from collections.abc import Mapping
from functools import cache
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# Gradio's queue summarizes its event log (a pandas DataFrame of up to 10,000 events) after every
# event by default; under 30 users that was a tenth of the server's CPU. Every 100 events is plenty.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "100")
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")  # and keeps the last 1,000 events, not 10,000
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: see chargen/__init__.py
# Gradio tries `import matplotlib` around every event it runs (to pick a backend); not installed, the
# failed import searches sys.path each time: a tenth of the server's CPU while a class opens the page.
sys.modules.setdefault("matplotlib", None)  # None: "not installed", answered at once

import anyio  # noqa: E402
import gradio as gr  # noqa: E402
from gradio.state_holder import SessionState  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.responses import JSONResponse, RedirectResponse  # noqa: E402
from starlette.staticfiles import StaticFiles  # noqa: E402

from chargen.cli import quiet_tensorflow  # noqa: E402
from chargen.site import build as build_site  # noqa: E402
from views import about, api, bars, compare, generate, link, score, step, sweep  # noqa: E402
from views.common import DEFAULT_MODEL, LOADING, MODELS, PAGE_EVENT, generator, log, model_level  # noqa: E402
from views.generate import REVEALS  # noqa: E402
from views.labels import LABELS, i18n, labels  # noqa: E402

if __name__ == "__main__":  # Python's stderr on a copy of file descriptor 2, which load_default_model silences a while
    sys.stderr = os.fdopen(os.dup(2), "w", buffering=1, errors="backslashreplace")
logging.basicConfig(format="%(asctime)s %(name)s: %(message)s")  # a refused request is one line in the log


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

# Events waiting beyond this many (one per student opening the page, two per Generate) are refused at
# once ("Queue is full") rather than left to time out.
MAX_QUEUE = int(os.environ.get("CHARGEN_MAX_QUEUE", "1000"))


def parse_args(argv):
    parser = argparse.ArgumentParser(description="chargen's web demo (Gradio's environment variables set host and port)")
    parser.add_argument("bundles", nargs="*", help="bundle directories to offer beside the shipped ones")
    parser.add_argument("--share", action="store_true", help="also serve through a public Gradio link")
    args = parser.parse_args(argv)
    for bundle in args.bundles:
        if not Path(bundle).is_dir():
            parser.error(f"{bundle}: not a bundle directory")
    return args


def intro(model, request: gr.Request):
    """The page's introduction, in the model's unit (characters or words)."""
    return labels(request, model_level(model))["intro"]


ARGS = parse_args(sys.argv[1:] if __name__ == "__main__" else [])
MODELS.extend(ARGS.bundles)  # before the views lay out their model choices

with gr.Blocks(title="chargen: temperature") as demo:
    with gr.Row(equal_height=True, elem_id="header"):
        gr.Markdown(i18n("title"), elem_id="title")
        model_box = gr.Dropdown(MODELS, value=DEFAULT_MODEL, label=i18n("model"), container=False,
                                scale=0, min_width=180, elem_id="model")
    intro_text = gr.Markdown(i18n("intro"), elem_classes="intro")
    # The page opens on the Generate tab, in one event (decoded once for a class); each other view is drawn
    # when its tab is shown, from answers shared by everyone who asks the same.
    with gr.Tabs(overflow_behavior="wrap") as tabs:  # on a phone every view in sight, not behind ⋯
        linked = {"generate": generate.build(model_box, demo.load, intro_text), "compare": compare.build(model_box)}
        for view in (step, sweep, score, about):
            view.build(model_box)
    gr.Markdown(i18n("browser_link"), elem_id="browser-link")  # the browser edition, served below at /browser/
    model_box.change(intro, model_box, intro_text, **PAGE_EVENT)
    demo.load(None, js=link.open_links(tabs, model_box, linked), **PAGE_EVENT)  # in the browser alone: no event

    gr.api(api.generate, api_name="generate")
    gr.api(api.compare, api_name="compare")
    gr.api(api.lesson_grid, api_name="lesson_grid")


def refuse_missing_inputs(block_fn, inputs):
    """Fewer inputs than an endpoint or page event takes (raw HTTP may send any): one line naming the missing
    ones, to the caller and the log, where Gradio answers a bare error and logs a traceback."""
    if len(inputs) < len(block_fn.inputs):
        names = list(inspect.signature(block_fn.fn).parameters)[: len(block_fn.inputs)]
        message = (f"{len(block_fn.inputs)} inputs needed, {len(inputs)} given: missing "
                   + ", ".join(names[len(inputs):]))
        log.warning("refused /%s: %s", block_fn.api_name or block_fn.name, message)
        raise gr.Error(message, print_exception=False)


demo.validate_inputs = refuse_missing_inputs  # Gradio's own check, run before every event

# Large type and strong contrast for a projector: no text under 16 px, help text dark enough for
# WCAG AA; Gradio's own fonts (bold from the same family), so nothing loads from elsewhere.
TEXT_SIZES = gr.themes.Size(xxs="16px", xs="16px", sm="16px", md="17px", lg="19px", xl="24px", xxl="30px")
THEME = gr.themes.Default(
    primary_hue="indigo", text_size=TEXT_SIZES,
    font=[gr.themes.LocalFont("Source Sans Pro", weights=(400, 600, 700)), "ui-sans-serif", "sans-serif"],
    font_mono=[gr.themes.LocalFont("IBM Plex Mono", weights=(400, 600, 700)), "ui-monospace", "monospace"],
).set(body_text_color_subdued="*neutral_600", block_info_text_color="*neutral_600", block_info_text_size="*text_sm",
      block_title_text_color="*neutral_800", block_label_text_color="*neutral_800", input_placeholder_color="*neutral_500",
      button_secondary_text_color="*neutral_800", button_primary_background_fill="*primary_600",
      button_primary_background_fill_hover="*primary_700")
CSS = """
.intro p { font-size: 16px; margin: 0; }
#header { flex-wrap: wrap !important; align-items: center; }  /* on a phone the model choice goes below the title */
#header > * { flex: 1 1 320px; }
#header > #model { flex: 0 1 200px; }
#title h1 { font-size: 24px !important; margin: 0 !important; overflow-wrap: normal; word-break: normal; }
.made-by p { font-weight: 600; margin: 0; }
/* Generated text reads as text: large monospaced type, the coloured pieces inline with no gaps, lines broken
   at spaces (Gradio lays pieces out as boxes, which broke words anywhere; TEXT_FLOW empties the blanks it
   puts between them). Each piece's box gives way to its text, which takes the piece's colour; a word too long
   for its line still breaks. */
:is(#generated, #stepped, .scored) .textfield { display: block; line-height: 1.75; }
:is(#generated, #stepped, .scored) :is(.textfield, .token-container, .token) { word-break: normal; }
:is(#generated, #stepped, .scored) .token-container { display: inline; }
:is(#generated, #stepped, .scored) .token { display: contents; }
:is(#generated, #stepped, .scored) .text { font-family: var(--font-mono); font-size: 1.5rem; padding: 0.1em 0;
  background: inherit; white-space: pre-wrap; word-break: normal; overflow-wrap: anywhere; }
#proposals button { font-family: var(--font-mono); font-size: 1.15rem; white-space: nowrap; padding: 6px 4px; }
#grid-button { white-space: nowrap; }  /* "Lesson grid (5 × 5)" broke inside "(5 × 5)" */
/* The sweep's T axis: Vega writes a label every 0.2, 16 of them crammed into a projector's half width; every other
   one shows (0.2, 0.6, 1, ..., 3: T = 1 among them), where it wrote that many. */
:is(#sweep-probabilities, #sweep-entropy) g[aria-roledescription="axis"][aria-label^="X-axis"]
  .role-axis-label:has(> text:nth-of-type(12)) > text:nth-of-type(odd) { display: none; }
/* The selected tab in a colour dark enough for AA contrast (Gradio's indigo-500 is 4.47:1 on white). */
[role="tab"][aria-selected="true"] { color: var(--primary-700) !important; }
/* Plots: legends as large as the axes' labels (Gradio leaves them at Vega's 10 px). */
.vega-embed svg text { font-size: max(16px, 1em) !important; }
/* A toast's own title is its type in English: ours leads the message, in the page's language. */
.toast-title { display: none !important; }
/* Headers, and the teacher's guide's tables (About), break between words, never inside one. */
th, th *, #guide td { word-break: normal !important; overflow-wrap: normal !important; hyphens: manual !important; }
"""


# Gradio writes a slider's bounds, a choice's label and a plot's axis numbers with a decimal point, in every
# language: in the page's language (the browser's first one we have labels for, as the server picks) they
# get its decimal sign, 0,8 in Dutch. Text nodes change in place, so Gradio's own later updates still land.
DECIMAL_SIGNS = {language: words["decimal"] for language, words in LABELS.items()}
DECIMAL_SIGN = f"""(() => {{
  const signs = {json.dumps(DECIMAL_SIGNS)};
  const language = navigator.languages.map(tag => tag.slice(0, 2).toLowerCase()).find(code => code in signs);
  return signs[language || "en"];
}})()"""
LOCAL_NUMBERS = """sign => {
  if (sign === ".") return;
  const numbers = ".min_value, .max_value, #temperatures label span, .vega-embed svg text";
  const localise = () => document.querySelectorAll(numbers).forEach(element => {
    for (const node of element.childNodes) {
      if (node.nodeType === Node.TEXT_NODE && /\\d\\.\\d/.test(node.nodeValue)) {
        node.nodeValue = node.nodeValue.replace(/(\\d)\\.(\\d)/g, `$1${sign}$2`);
      }
    }
  });
  new MutationObserver(localise).observe(document.body, {childList: true, subtree: true, characterData: true});
  localise();
}"""

# Gradio's number boxes (a slider's, gr.Number) are <input type=number>, bound to their value on every key: a
# typed "0," is no number to Chromium, so "0,3" became "03", and the "0" of "0.3" was sent (and refused) at once.
# Here they are text boxes showing the page's decimal sign; what is typed reaches Gradio only when complete
# (Enter, or leaving the box), a comma read as the decimal sign in either language, through Gradio's own binding
# (an input event on a number input: the box is one for that moment). What cannot be a number puts the last
# value back.
NUMBER_BOXES_CSS = """
/* Gradio's number boxes made text boxes (NUMBER_BOXES) keep the look it gives an <input type=number>: a slider's
   small centred box, gr.Number's whole-width field. */
.tab-like-container > input.typed-number { width: 6em; min-width: var(--size-14); padding: var(--size-1) var(--size-2);
  border: none; border-radius: 0; font-size: var(--text-sm); line-height: var(--line-sm); text-align: center; }
.tab-like-container > input.typed-number:focus { box-shadow: inset 0 0 0 1px var(--color-accent); border-radius: 3px 0 0 3px; }
label.container > input.typed-number { box-shadow: var(--input-shadow); background: var(--input-background-fill);
  padding: var(--input-padding); width: 100%; font-size: var(--input-text-size); line-height: var(--line-sm); display: block; }
"""
NUMBER_BOXES = """sign => {
  const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");
  const before = new WeakMap(), typed = new WeakSet();  // a box's value before it was typed in; boxes typed in
  const adopt = box => {
    box.type = "text";
    box.inputMode = "decimal";
    box.classList.add("typed-number");
    Object.defineProperty(box, "value", {configurable: true, get() { return native.get.call(this); },
                                         set(value) { native.set.call(this, String(value ?? "").replace(".", sign)); }});
    box.value = native.get.call(box);
  };
  const commit = box => {
    if (!typed.delete(box)) return;
    const number = native.get.call(box).trim().replace(",", ".");
    if (number === "" || !isFinite(number)) return void (box.value = before.get(box));
    box.type = "number";
    native.set.call(box, number);
    box.dispatchEvent(new Event("input", {bubbles: true}));
    box.type = "text";
    box.value = number;
  };
  const ours = target => target instanceof HTMLInputElement && target.classList.contains("typed-number");
  document.addEventListener("focusin", event => { if (ours(event.target)) before.set(event.target, event.target.value); }, true);
  document.addEventListener("input", event => {
    if (!ours(event.target) || event.target.type === "number") return;  // (the commit's own event goes on)
    typed.add(event.target);
    event.stopImmediatePropagation();
  }, true);
  document.addEventListener("keydown", event => { if (event.key === "Enter" && ours(event.target)) commit(event.target); }, true);
  document.addEventListener("blur", event => { if (ours(event.target)) commit(event.target); }, true);
  const boxes = () => document.querySelectorAll("input[type=number]").forEach(adopt);
  new MutationObserver(boxes).observe(document.body, {childList: true, subtree: true});
  boxes();
}"""

# Gradio puts blanks between a coloured text's pieces (its template's own): as text they were spaces, or line
# breaks, inside a word. They are emptied, not removed, so Gradio's later updates find every node they expect.
TEXT_FLOW = """() => {
  const fields = "#generated .textfield, #stepped .textfield, .scored .textfield";
  const empty = () => document.querySelectorAll(fields).forEach(field => {
    const walker = document.createTreeWalker(field, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.data && !node.parentElement.closest(".text")) node.data = "";
    }
  });
  new MutationObserver(empty).observe(document.body, {childList: true, subtree: true});
  empty();
}"""
PAGE_SCRIPT = f"() => {{ const sign = {DECIMAL_SIGN}; ({LOCAL_NUMBERS})(sign); ({NUMBER_BOXES})(sign); ({TEXT_FLOW})(); }}"

# -- serving: a class at once, memory bounded over a day of classes --------------------------------
# Two cores, so two at a time of what is not set otherwise in the views. Queue positions go out every 2 s,
# not to every waiting client each time a job starts (under 30 users, 13% of the server's CPU). Reveals
# sleep in threads of their own. Gradio keeps every session's state (a copy of the page's config, 0.3 MB)
# for up to 10,000 sessions, and every result never fetched (a few hundred KB) for up to 2,000: a
# student's page keeps its state an hour idle among at most SESSIONS_KEPT; a session with no state of its
# own (an API call's) goes, with any result never fetched, once it has been idle FORGET_STATELESS_S.
SESSION_IDLE_S, FORGET_STATELESS_S, SESSIONS_KEPT = 3600, 5, 1000
QUEUE = dict(default_concurrency_limit=2, max_size=MAX_QUEUE, status_update_rate=2)


class SessionConfigs(Mapping):
    """A session's copy of each component's config (Gradio's SessionState.config_values), each made when first
    read or written, not all 150 when the session starts: a class opening the page at once waited on
    them. Read in full (Gradio's deep links do), it is what Gradio would have made."""

    def __init__(self, blocks_config, page_ids):
        self.blocks_config, self.page_ids, self.made = blocks_config, page_ids, {}

    def __getitem__(self, key):
        if key not in self.made:
            if key not in self.page_ids or key not in self.blocks_config.blocks:
                raise KeyError(key)
            self.made[key] = self.blocks_config.config_for_block(key, [], self.blocks_config.blocks[key])
        return self.made[key]

    def __contains__(self, key):
        return key in self.made or key in self.page_ids and key in self.blocks_config.blocks

    def __setitem__(self, key, config):
        self.made[key] = config

    def __iter__(self):
        page = [key for key in self.blocks_config.blocks if key in self.page_ids]
        return iter([*page, *(key for key in self.made if key not in page)])

    def __len__(self):
        return sum(1 for _ in self)


gradio_session_start = SessionState.__init__


def session_start(session, blocks):
    """Gradio's own start of a session, with its components' configs made as they are used."""
    gradio_session_start(session, types.SimpleNamespace(default_config=blocks.default_config, blocks={}))  # none made
    session.config_values = SessionConfigs(session.blocks_config, frozenset(blocks.blocks))


SessionState.__init__ = session_start


class PageCache:
    """The page's HTML (its whole config inside, rebuilt by Gradio for every visit) kept per address it was asked
    at: a class opening the page at once gets one copy. Only a plain GET of the page; the last few addresses."""

    ADDRESS_HEADERS = (b"host", b"x-forwarded-host", b"x-forwarded-proto", b"x-gradio-server")
    KEPT = 16

    def __init__(self, app):
        self.app, self.pages = app, OrderedDict()

    async def __call__(self, scope, receive, send):
        address = self.address(scope)
        if address is None:
            await self.app(scope, receive, send)
        elif address in self.pages:
            self.pages.move_to_end(address)
            for message in self.pages[address]:
                await send(message)
        else:
            await self.build(address, scope, receive, send)

    @classmethod
    def address(cls, scope):
        """What the page's HTML depends on (its links name the address), for a plain GET of the page; else None."""
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != "/" or scope["query_string"]:
            return None
        headers = dict(scope["headers"])
        return scope["scheme"], scope.get("root_path"), *(headers.get(name) for name in cls.ADDRESS_HEADERS)

    async def build(self, address, scope, receive, send):
        """Gradio's answer, sent and kept when it is the page."""
        messages = []

        async def keep(message):
            messages.append(message)
            await send(message)
        await self.app(scope, receive, keep)
        if messages and messages[0].get("status") == 200:
            self.pages[address] = messages
            if len(self.pages) > self.KEPT:
                self.pages.popitem(last=False)


class UnknownEndpoints:
    """A call of a misspelt endpoint (``/gradio_api/call/generat``) answered 404 with the endpoints there are, and
    one line in the log, where Gradio answers a bare 500 and logs a traceback."""

    CALL = re.compile(r"/gradio_api/(call/v2|call|run|api)/([^/]+)/?")

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        called = self.CALL.fullmatch(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if called is None or called[2] in self.known(called[1]):
            await self.app(scope, receive, send)
            return
        message = f"no endpoint /{called[2]}; the endpoints are " + ", ".join(f"/{name}" for name in self.known("call/v2"))
        log.warning("refused %s: %s", scope["path"], message)
        await JSONResponse({"error": message}, status_code=404)(scope, receive, send)

    @staticmethod
    def known(route) -> list[str]:
        """The events a route calls by name: /call/v2 the public endpoints, the others any (the page's own too)."""
        return [fn.api_name for fn in demo.fns.values() if route != "call/v2" or fn.api_visibility == "public"]


LAUNCH = dict(max_threads=REVEALS + 40, state_session_capacity=SESSIONS_KEPT,
              app_kwargs=dict(middleware=[Middleware(UnknownEndpoints), Middleware(PageCache)]))


# -- the browser edition (chargen/site.py): the page as a static site, whose clicks cost this server nothing ----
SITE_CACHE = Path(__file__).resolve().parent / ".cache"  # git-ignored


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        pass
    return True


class BrowserEdition:
    """Serves the browser edition at /browser/, built from the shipped weights on its first request (seconds, once
    per start: most runs of the app never need it) into a folder of this process's own, .cache/browser-PID: apps
    started side by side never write one folder at once. Folders of apps no longer running are removed then."""

    PREFIX = "/browser"

    def __init__(self, app):
        self.app, self.files, self.lock = app, None, threading.Lock()

    def built(self) -> StaticFiles:
        with self.lock:  # a class asking at once waits for one build
            if self.files is None:
                for left in SITE_CACHE.glob("browser-*"):
                    if left.name.removeprefix("browser-").isdigit() and not running(int(left.name.removeprefix("browser-"))):
                        shutil.rmtree(left, ignore_errors=True)
                with LOADING:  # it loads the models: never while TensorFlow is imported beside it (two imports break)
                    site = build_site(SITE_CACHE / f"browser-{os.getpid()}")
                self.files = StaticFiles(directory=site, html=True)
        return self.files

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == self.PREFIX or path.startswith(self.PREFIX + "/")):
            await self.app(scope, receive, send)
        elif path == self.PREFIX:  # the page's files are named relative to the folder
            query = scope["query_string"].decode("latin-1")
            await RedirectResponse(f"{self.PREFIX}/" + (f"?{query}" if query else ""))(scope, receive, send)
        else:
            files = await anyio.to_thread.run_sync(self.built)
            await files({**scope, "path": path[len(self.PREFIX):]}, receive, send)


LAUNCH["app_kwargs"]["middleware"].append(Middleware(BrowserEdition))


def forget_sessions(holder, queue, now: datetime.datetime) -> int:
    """Drop what Gradio keeps of sessions idle an hour, and of stateless ones idle a few seconds; how many."""
    forgotten = []
    with holder.lock:
        for session, last_used in list(holder.time_last_used.items()):
            idle = (now - last_used).total_seconds()
            state = holder.session_data.get(session)
            running = any(e in queue.event_ids_to_events for e in queue.pending_event_ids_session.get(session, ()))
            if running:  # waiting in the queue or being run: its result is on its way
                continue
            if idle > SESSION_IDLE_S or idle > FORGET_STATELESS_S and not (state and state.state_data):
                holder.session_data.pop(session, None)
                holder.time_last_used.pop(session, None)
                forgotten.append(session)
    for session in forgotten:  # the results it never fetched; its finished events' ids
        queue.pending_messages_per_session.pop(session, None)
        queue.pending_event_ids_session.pop(session, None)
    return len(forgotten)


def keep_forgetting(blocks, every=1):
    # glibc keeps freed memory for reuse; giving it back lets the process's size follow what it holds.
    libc = ctypes.CDLL(ctypes.util.find_library("c")) if sys.platform == "linux" else None
    while True:
        time.sleep(every)
        if getattr(blocks, "state_holder", None) is not None and getattr(blocks, "_queue", None) is not None:
            if forget_sessions(blocks.state_holder, blocks._queue, datetime.datetime.now()) and libc:
                libc.malloc_trim(0)


def load_default_model():
    """TensorFlow imported with its C++ start-up lines silenced (they go to file descriptor 2 whatever
    TF_CPP_MIN_LOG_LEVEL says), then the default model."""
    with LOADING:  # a request's model waits for this import rather than importing TensorFlow beside it
        quiet_tensorflow()
    generator(DEFAULT_MODEL)


if __name__ == "__main__":
    # Loading imports TensorFlow (seconds): do it while the server starts, so the page is served sooner.
    threading.Thread(target=load_default_model, daemon=True).start()
    threading.Thread(target=keep_forgetting, args=[demo], daemon=True).start()
    demo.queue(**QUEUE)
    demo.launch(share=ARGS.share, i18n=i18n, theme=THEME, css=CSS + NUMBER_BOXES_CSS + bars.CSS + compare.TABLE_CSS, js=PAGE_SCRIPT, **LAUNCH)
