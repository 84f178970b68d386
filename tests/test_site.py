"""The browser edition (``python -m chargen site``) in Debian's chromium, served by a plain static server on
loopback, at a laptop's, a projector's and a phone's size, in English and Dutch.

What a person reads is checked against the Python core for the same inputs: the generated text, what made it,
the comparison's rows, the lesson grid, the proposals; the bars' drawn heights against the core's
probabilities; sizes, contrast and positions as the Gradio page's tests check them. The site is built once per
session by the command a teacher runs. CHARGEN_SKIP_BROWSER=1 skips these tests.
"""
import contextlib
import functools
import http.server
import json
import math
import os
import re
import subprocess
import sys
import threading
import urllib.request
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import chargen
from test_app_browser import (  # noqa: F401 (browser: the fixture, one chromium per module)
    DEFICIENCIES, LOCALES, READABILITY, VIEWPORTS, as_seen, browser, no_sideways_scroll, srgb_to_lab,
)
from views import labels as view_labels
from views.common import (
    LESSON_PROMPTS, LESSON_TEMPERATURES, LIMITS, PROBABILITY_BANDS, bar_charts, decode, generator, in_order, say, shown,
    side_by_side,
)
from views.compare import COMPARE_SEED, whole
from views.generate import telling_step
from views.labels import for_level, made_by, percent
from views.link import comparison_link, generation_link
from views.samplers import at_t_title

pytestmark = pytest.mark.skipif(os.environ.get("CHARGEN_SKIP_BROWSER") == "1", reason="CHARGEN_SKIP_BROWSER=1")
ROOT = Path(__file__).resolve().parent.parent
EVERYWHERE = [(size, locale) for size in VIEWPORTS for locale in LOCALES]


def words(locale, level="char"):
    return for_level(view_labels.LABELS[locale[:2]], level)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The site as a teacher makes it: ``python -m chargen site OUT``."""
    out = tmp_path_factory.mktemp("site") / "site"
    done = subprocess.run([sys.executable, "-m", "chargen", "site", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def static_server(directory):
    """``python -m http.server`` in ``directory``, on a free loopback port, in a thread; yields its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=directory))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site_url(site):
    with static_server(site) as (url, _):
        yield url


def page_at(browser, url, size, locale):
    """A page of the site in a browser context of its own at a size and locale, opened at an address and ready
    (its first result drawn); ``page.requests``: the addresses it asked for."""
    context = browser.new_context(viewport=VIEWPORTS[size], locale=locale, is_mobile=size == "phone",
                                  has_touch=size == "phone")
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(url)
    page.wait_for_selector("body[data-ready]", timeout=30_000)
    return page


@pytest.fixture
def open_site(browser):
    """page_at for a test: its contexts closed after it."""
    contexts = []

    def open_page(url, size="laptop", locale="en"):
        page = page_at(browser, url, size, locale)
        contexts.append(page.context)
        return page
    yield open_page
    for context in contexts:
        context.close()


def text_of(page, selector):
    return page.locator(selector).inner_text()


def wait_for_text(page, selector, expected, timeout=10_000):
    page.wait_for_function("([s, want]) => document.querySelector(s)?.textContent === want", arg=[selector, expected],
                           timeout=timeout)


def generated(prompt_text, out):
    """The generated text as the page writes it: the prompt, then each step's text (the end as ⏎)."""
    return prompt_text + "".join(s.text or "⏎" for s in out.steps)


def opening(model="default"):
    """The Gradio page's opening generation: the first lesson prompt at its sliders' defaults, seed 0."""
    return decode(LESSON_PROMPTS[0], 1.0, 100, "Sampled", 0, 5, model)


def on_first_screen(page, selector):
    rect = page.locator(selector).bounding_box()
    return rect["y"] >= 0 and rect["y"] + rect["height"] <= page.viewport_size["height"]


def set_slider(page, elem_id, value):
    """Move a slider as a drag does: its value, then the input event."""
    page.eval_on_selector(f"#{elem_id} input[type=range]",
                          "(r, v) => { r.value = v; r.dispatchEvent(new Event('input', {bubbles: true})); }", value)


# -- the site itself ----------------------------------------------------------------------------------------

def test_the_site_command_writes_a_static_site_with_the_gradio_pages_labels_and_every_model(site):
    assert (site / "README.md").read_text().startswith("---\n") and "\nsdk: static\n" in (site / "README.md").read_text()
    settings = json.loads((site / "page.json").read_text())
    assert settings["labels"] == view_labels.LABELS  # one source for both editions' words
    assert [m["name"] for m in settings["models"]] == chargen.shipped_names()
    names = ["default", "lesson", "words", *(f"lesson@{epoch}" for epoch, _ in chargen.progress("lesson"))]
    for name in names:
        assert (site / "models" / name / "model.json").is_file() and (site / "models" / name / "weights.bin").is_file()
    # Nothing named from another origin: no absolute address in the page's own files.
    for path in site.glob("*"):
        if path.suffix in (".html", ".css", ".mjs"):
            assert not re.search(r"(https?:)?//[\w.-]+\.[a-z]{2,}/", path.read_text()), path.name


# -- Generate -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size, locale", EVERYWHERE)
def test_the_page_opens_on_the_core_s_text_large_contrasted_and_on_the_first_screen(open_site, site_url, size, locale):
    page = open_site(site_url, size, locale)
    out, here = opening(), words(locale)
    assert text_of(page, "#generated-text") == generated(LESSON_PROMPTS[0], out)
    assert text_of(page, "#generate-made-by") == made_by("default", "char", 1.0, 0, here)
    assert text_of(page, "#tab-generate") == here["tab_generate"]
    shown_step = out.steps[telling_step(out) - 1]
    assert page.locator("#bars-t .bar-fill").count() == len(shown_step.top) + 1 + (shown_step.id not in [a.id for a in shown_step.top])
    if size == "projector":  # a projected class sees the result and its bars without scrolling
        for selector in ("#generate-made-by", "#generated", "#bars-t1", "#bars-t"):
            assert on_first_screen(page, selector), selector
    for view in ("compare", "step", "generate"):
        page.click(f"#tab-{view}")
        page.wait_for_selector(f"#view-{view}:not([hidden])")
        if view != "generate":
            page.wait_for_selector("#comparison tbody tr" if view == "compare" else "#proposals button")
        page.evaluate("document.fonts.ready")
        assert page.evaluate(READABILITY) == [], view
        assert no_sideways_scroll(page), view


# A chart as drawn: [token, p as the axis writes it, kind (translated), bar height / plot height].
DRAWN = """id => { const plot = document.querySelector(`#${id} .bar-plot`).getBoundingClientRect().height;
  return [...document.querySelectorAll(`#${id} .bar-fill`)].map(b =>
    [b.dataset.token, b.dataset.p, b.dataset.kind, b.getBoundingClientRect().height / plot]); }"""
# The Gradio page's chart for the same bars: the same fields from its HTML, heights as fractions of the plot.
BAR = re.compile(r'height: ([\d.]+)%;[^"]*" title="[^"]*" data-token="([^"]*)" data-p="([^"]*)" data-kind="([^"]*)"')


def expected_bars(out, i, temperature, here, **samplers):
    """The Gradio page's bars at T = 1 and at T for step i of ``out`` under these settings (views.common.bar_charts)."""
    d = out.distribution(i, temperature=temperature, **samplers)
    step = out.steps[i]
    ids = [a.id for a in step.top] + [step.id] * (step.id not in [a.id for a in step.top])
    top = [(str(d.tokens[k]), float(d.p_t1[k]), float(d.p[k])) for k in ids]
    charts = bar_charts(top, step.token, temperature, here)
    return [[(unescape(token), p, unescape(kind), float(height) / 100) for height, token, p, kind in BAR.findall(chart.value)]
            for chart in charts]


def assert_bars(page, elem_id, want):
    drawn = page.evaluate(DRAWN, elem_id)
    assert [tuple(bar[:3]) for bar in drawn] == [bar[:3] for bar in want]
    assert all(abs(bar[3] - w[3]) < 0.01 for bar, w in zip(drawn, want)), (drawn, want)


@pytest.mark.parametrize("size, locale", [("laptop", "en"), ("phone", "nl-NL")])
def test_bars_are_drawn_at_the_core_s_probabilities_and_follow_the_temperature_as_it_moves(open_site, site_url, size, locale):
    page = open_site(site_url, size, locale)
    out, here = opening(), words(locale)
    text = text_of(page, "#generated-text")
    i = telling_step(out) - 1  # the step the bars open on, as the Gradio page's
    assert text_of(page, "#bars-t1-title") == here["bars_t1_step"].format(n=i + 1)
    t1, t = expected_bars(out, i, 1.0, here)
    assert_bars(page, "bars-t1", t1)
    assert_bars(page, "bars-t", t)
    own = dict(temperature=1.0, top_k=None, top_p=None, min_p=None)
    assert text_of(page, "#bars-t-title") == at_t_title(own, own, here)  # "Drawn at T = 1"
    for temperature in (0.5, 2.0):  # dragged: the bars at T follow, on one scale with those at T = 1
        set_slider(page, "temperature", temperature)
        page.wait_for_timeout(100)
        t1, t = expected_bars(out, i, temperature, here)
        assert_bars(page, "bars-t1", t1)
        assert_bars(page, "bars-t", t)
        assert text_of(page, "#bars-t-title") == at_t_title({**own, "temperature": temperature}, own, here)  # "(the slider)"
        assert text_of(page, "#generate-order") == here["order"].format(steps=f"p → p^(1/{view_labels.setting(temperature, here)}) → {here['renormalise']}")
    page.click("summary:has-text('top-k')")
    set_slider(page, "generate-sampler-top-k", 3)
    page.wait_for_timeout(100)
    t1, t = expected_bars(out, i, 2.0, here, top_k=3)
    assert_bars(page, "bars-t", t)
    assert [kind for _, _, kind, _ in t].count(here["removed"]) == len(t) - 4  # pale, at their height at T = 1
    page.click("#generated-text .piece[data-step='5']")  # a click picks a step
    page.wait_for_timeout(100)
    assert_bars(page, "bars-t", expected_bars(out, 4, 2.0, here, top_k=3)[1])
    assert text_of(page, "#generated-text") == text  # the text stays until Generate


def test_a_dutch_reader_types_0_3_and_a_seed_and_gets_the_core_s_text_at_T_0_3(open_site, site_url):
    page = open_site(site_url, "projector", "nl-NL")
    here = words("nl-NL")
    page.fill("#temperature-number", "0,3")
    page.press("#temperature-number", "Enter")
    page.fill("#seed-input", "7")
    page.click("#generate-button")
    out = decode(LESSON_PROMPTS[0], 0.3, 100, "Sampled", 7, 5, "default")
    wait_for_text(page, "#generated-text", generated(LESSON_PROMPTS[0], out))
    assert text_of(page, "#generate-made-by") == made_by("default", "char", 0.3, 7, here) == "default (tekens) · T = 0,3 · seed 7"
    assert on_first_screen(page, "#generate-made-by") and on_first_screen(page, "#bars-t")
    assert page.input_value("#temperature-number") == "0,3"


def test_bad_input_gets_a_message_in_the_reader_s_language_and_the_page_goes_on(open_site, site_url):
    page = open_site(site_url, "laptop", "nl-NL")
    here = words("nl-NL")
    page.fill("#temperature-number", "warm")
    page.press("#temperature-number", "Enter")
    page.click("#generate-button")
    with pytest.raises(chargen.ChargenError) as refused:
        decode(LESSON_PROMPTS[0], "warm", 100, "Sampled", None, 5, "default")
    wait_for_text(page, "#message", f"{here['warning']}: {say(refused.value, here)}")
    page.fill("#temperature-number", "1")
    page.press("#temperature-number", "Enter")
    page.fill("#generate-prompt-input", "   ")
    page.click("#generate-button")
    wait_for_text(page, "#message", f"{here['warning']}: {here['refuse_empty']}")
    page.fill("#generate-prompt-input", LESSON_PROMPTS[1])
    page.click("#generate-button")
    page.wait_for_selector("#message", state="hidden")


# -- Compare and Step through ---------------------------------------------------------------------------------

@pytest.mark.parametrize("size, locale", [("projector", "en"), ("phone", "nl-NL")])
def test_compare_shows_the_core_s_rows_greedy_first_and_the_lesson_grid(open_site, site_url, size, locale):
    page = open_site(site_url, size, locale)
    here = words(locale)
    page.click("#tab-compare")
    page.wait_for_selector("#comparison tbody tr")
    rows = generator("default").compare(LESSON_PROMPTS[0], [None, *LESSON_TEMPERATURES], length=100, seed=COMPARE_SEED,
                                        alternatives=1, limits=LIMITS)
    cells = page.eval_on_selector_all("#comparison tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert [row[:2] for row in cells] == [[unescape(whole(made_by("default", "char", out.temperature, COMPARE_SEED, here))),
                                           LESSON_PROMPTS[0] + out.text] for out in rows]
    assert cells[0][2] == view_labels.number(0, here, 2)  # greedy draws from a certain distribution: 0 bits
    assert page.locator("#comparison").bounding_box()["y"] < page.viewport_size["height"]  # its top on the first screen
    page.click("#grid-button")
    page.wait_for_selector("#grid tbody tr")
    grid = page.eval_on_selector_all("#grid tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert grid == [[prompt, *(out.text for out in generator("default").compare(prompt, LESSON_TEMPERATURES, length=100,
                                                                                seed=COMPARE_SEED, alternatives=1, limits=LIMITS))]
                    for prompt in LESSON_PROMPTS]
    assert no_sideways_scroll(page)


@pytest.mark.parametrize("locale", LOCALES)
def test_step_through_proposes_the_core_s_tokens_and_picks_samples_and_undoes(open_site, site_url, locale):
    page = open_site(site_url, "projector", locale)
    here = words(locale)
    page.click("#tab-step")
    page.wait_for_selector("#proposals button")
    stepper = generator("default").start(LESSON_PROMPTS[0], alternatives=10, limits=LIMITS)

    def proposals():
        return [f"{shown(p.token)}  {percent(p.p, here)}" for p in stepper.proposals(1.0, k=5)]
    assert page.locator("#proposals button").all_inner_texts() == proposals()
    page.locator("#proposals button").nth(1).click()
    stepper.choose(stepper.proposals(1.0, k=5)[1].id, temperature=1.0)
    page.click("#greedy-button")
    stepper.greedy()
    page.click("#sample-button")
    stepper.sample(1.0, seed=0)
    wait_for_text(page, "#stepped-text", LESSON_PROMPTS[0] + stepper.text)
    assert page.locator("#proposals button").all_inner_texts() == proposals()
    page.click("#undo-button")
    stepper.undo()
    wait_for_text(page, "#stepped-text", LESSON_PROMPTS[0] + stepper.text)
    assert text_of(page, "#step-status").startswith(here["step_status"].split("{")[0] + "2")


# -- links, origin and offline -------------------------------------------------------------------------------

def test_a_link_made_by_the_gradio_page_opens_the_same_text_in_the_browser_edition(open_site, site_url):
    out = decode("Moscow, ", 0.8, 60, "Sampled", 42, 5, "lesson@8", True, (("top_p", 0.9),))
    url = generation_link(site_url, out, 60).value
    assert "model=lesson&epoch=8" in url and "top_p=0.9" in url
    page = open_site(url, "laptop", "en")
    wait_for_text(page, "#generated-text", generated("Moscow, ", out))  # revealed as a press of Generate is
    assert text_of(page, "#generate-made-by") == made_by("lesson@8", "char", 0.8, 42, words("en"), dict(top_p=0.9))
    url = comparison_link(site_url, "Oil ", ["Greedy", "0.5", "1.3"], 40, 3, "default", "words", 0, 1.0, 0.0, True)
    page = open_site(url.value, "laptop", "en")
    page.wait_for_selector("#comparison tbody tr")
    texts = page.eval_on_selector_all("#comparison tbody td:nth-child(2)", "cells => cells.map(c => c.textContent)")
    expected = in_order(side_by_side("Oil ", ["Greedy", "0.5", "1.3"], 40, 3, "default", "words"))  # the Gradio page's rows
    assert texts == ["Oil " + out.text for _, out in expected]
    # The page's own link is the Gradio page's for the same comparison.
    page.click("#compare-link-button")
    assert urlsplit(page.input_value("#compare-link")).query == urlsplit(url.value).query


def test_nothing_is_asked_of_another_origin_and_it_generates_after_its_server_stops(site, open_site):
    with static_server(site) as (url, server):
        page = open_site(url, "laptop", "en")
    # The server is gone: Generate still writes the core's text, from the model already in the page.
    page.fill("#seed-input", "11")
    page.click("#generate-button")
    out = decode(LESSON_PROMPTS[0], 1.0, 100, "Sampled", 11, 5, "default")
    wait_for_text(page, "#generated-text", generated(LESSON_PROMPTS[0], out))
    origin = url.rstrip("/")
    assert page.requests and all(request.startswith(origin + "/") or request.startswith("data:") for request in page.requests)


def test_probability_bands_are_the_gradio_page_s_and_told_apart_with_colour_vision_deficiencies(open_site, site_url):
    page = open_site(site_url)
    drawn = page.eval_on_selector_all("#generated .legend-item", "items => items.map(i => [i.textContent, getComputedStyle(i).backgroundColor])")
    assert [name for name, _ in drawn] == [name for _, name, _ in PROBABILITY_BANDS]
    colours = []
    for (_, colour), (_, _, hex_colour) in zip(drawn, PROBABILITY_BANDS):
        r, g, b, a = map(float, re.findall(r"[\d.]+", colour))
        assert [r, g, b] == [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)] and a == 0.5
        colours.append([c * a + 255 * (1 - a) for c in (r, g, b)])
    for name, matrix in [("normal", None), *DEFICIENCIES.items()]:
        seen = [srgb_to_lab(c if matrix is None else as_seen(c, matrix)) for c in colours]
        assert min(math.dist(p, q) for i, p in enumerate(seen) for q in seen[i + 1:]) > 12, name


def test_the_app_serves_the_browser_edition_and_its_page_links_to_it(app_url, open_site):
    urllib.request.urlopen(app_url + "browser/", timeout=600)  # the first request builds the site (seconds)
    page = open_site(app_url + "browser/", "laptop", "en")
    assert text_of(page, "#generated-text") == generated(LESSON_PROMPTS[0], opening())
    gradio = page.context.new_page()
    gradio.goto(app_url)
    link = gradio.locator("#browser-link a")
    link.wait_for(timeout=60_000)
    assert gradio.evaluate("a => a.href", link.element_handle()) == app_url + "browser/"
    assert link.inner_text() == "Open the browser edition"
