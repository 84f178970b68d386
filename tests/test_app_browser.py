"""The page in a real browser: Debian's chromium driven by Playwright, at a laptop's (1280x800), a
projector's (1024x768) and a phone's (390x844) size, in English and Dutch.

What the page draws is read back (legend labels, bar heights, bounding boxes, computed font sizes
and colours, the text a person reads) and checked against the API's or the core's answer for the
same inputs. One server for the session; one page per size and language, shared by the tests in
turn. CHARGEN_SKIP_BROWSER=1 skips these tests (CI installs chromium and runs them).
"""
import contextlib
import json
import math
import os
import re
import time
from pathlib import Path

import pytest
from gradio_client import Client
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect, sync_playwright

import chargen
from views.bars import LONG_LABEL, whole_percent
from views.common import LESSON_PROMPTS, LESSON_TEMPERATURES, MAX_SEED, phrase, shown
from views.generate import OPENING_SEED, telling_step
from views.compare import COMPARE_SEED
from views.labels import LABELS, for_level, made_by, number, percent, temperature_label
from views.samplers import draws_line, order_line
from views.score import EXAMPLES, RANK_COLOURS, rank_bands

pytestmark = pytest.mark.skipif(os.environ.get("CHARGEN_SKIP_BROWSER") == "1", reason="CHARGEN_SKIP_BROWSER=1")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
VIEWPORTS = {"laptop": dict(width=1280, height=800), "projector": dict(width=1024, height=768),
             "phone": dict(width=390, height=844)}
LOCALES = ["en", "nl-NL"]
EVERYWHERE = [(size, locale) for size in VIEWPORTS for locale in LOCALES]
WIDE = [(size, locale) for size in ("laptop", "projector") for locale in LOCALES]
TABS = ["tab_generate", "tab_compare", "tab_step", "tab_sweep", "tab_score", "tab_about"]


def words(locale, level="char"):
    return for_level(LABELS[locale[:2]], level)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (or set CHARGEN_SKIP_BROWSER=1)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


@pytest.fixture(scope="module")
def default_model():
    return chargen.shipped_names()[0]


# A number box (a slider's, gr.Number's): a text box the page's script made of Gradio's <input type=number>.
NUMBER_BOX = "input.typed-number"
SENT = {}  # page: its requests to the server's queue, as "time event n: the inputs' last values"


def sent(page, last=8) -> str:
    """The page's last requests and the sliders' values now: what a failed wait for an answer was waiting on."""
    sliders = page.eval_on_selector_all(f"{NUMBER_BOX}:visible", "es => es.map(e => `${e.closest('[id]')?.id}=${e.value}`)")
    return "\n".join(["it asked the server:", *SENT.get(page, [])[-last:], f"at {time.strftime('%X')} its sliders: {sliders}"])


class Pages:
    """Open pages, one per size and language, shared by the tests in turn (opening one costs seconds);
    every page error or request off the server is recorded against the test that saw it."""

    def __init__(self, browser, url):
        self.browser, self.url, self.shared, self.contexts, self.problems = browser, url, {}, [], []

    def open(self, size="laptop", locale="en", shared=True, wait=True):
        if shared and (size, locale) in self.shared:
            return self.shared[size, locale]
        # (less motion, as a reader may ask: a bar is at its new height the moment its new number is)
        context = self.browser.new_context(viewport=VIEWPORTS[size], locale=locale, is_mobile=size == "phone",
                                           has_touch=size == "phone", reduced_motion="reduce")
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        SENT[page] = []  # what the page asked the server, told when a wait for its answer fails
        page.on("request", lambda r: "queue/join" in r.url and SENT[page].append(
            f"{time.strftime('%X')} event {r.post_data_json['fn_index']}: {str(r.post_data_json['data'])[-100:]}"))
        page.on("request", lambda request: request.url.startswith((self.url, "data:", "blob:"))
                or self.problems.append(f"request off the server: {request.url}"))
        page.goto(self.url)
        if wait:
            wait_for_rows(page, "trace")  # the page opens on a generation
        if shared:
            self.shared[size, locale] = page
        return page


@pytest.fixture(scope="module")
def pages(browser, app_url):
    pages = Pages(browser, app_url)
    yield pages
    for context in pages.contexts:
        context.close()


@pytest.fixture
def open_app(pages):
    """``open_app(size, locale, shared)``: the page, opened on first use; the test fails on page errors."""
    yield pages.open
    problems, pages.problems[:] = list(pages.problems), []
    assert not problems


# -- reading the page ------------------------------------------------------------------------------

def wait_for_rows(page, table, count=None):
    """Wait until the Dataframe ``#table`` has ``count`` data rows (any, if None)."""
    rows = f"(+document.querySelector('#{table} [aria-rowcount]')?.getAttribute('aria-rowcount') || 1) - 1"
    page.wait_for_function(f"() => {rows} {'> 0' if count is None else f'== {count}'}")


def wait_for_text(page, elem_id, text):
    """Wait until ``#elem_id`` holds ``text`` (shown or not: tabs hide views); else fail saying what it held."""
    try:
        page.wait_for_function("([id, text]) => document.getElementById(id)?.textContent.includes(text)",
                               arg=[elem_id, text])
    except PlaywrightTimeout:
        held = page.evaluate("id => document.getElementById(id)?.textContent", elem_id)
        pytest.fail(f"#{elem_id} never held {text!r}; it holds {held[:300]!r}.\n{sent(page)}")


def wait_for_pieces(page, elem_id, pieces, timeout=30_000):
    """Wait until the highlighted text ``#elem_id`` shows exactly ``pieces`` (the last frame of a stream)."""
    page.wait_for_function(
        """([id, want]) => {
            const got = [...document.querySelectorAll(`#${id} .token .text`)].map(e => e.textContent);
            return got.length === want.length && got.every((piece, i) => piece === want[i]);
        }""", arg=[elem_id, pieces], timeout=timeout)


def pieces_of(prompt, out):
    return [prompt, *(s["text"] or "⏎" for s in out["steps"])]


def texts(page, selector):
    return page.eval_on_selector_all(selector, "elements => elements.map(e => e.innerText.trim())")


def open_tab(page, key, locale="en"):
    """Click a tab by its label key; on a phone the later tabs sit in the overflow menu."""
    name = words(locale)[key]
    tab = page.get_by_role("tab", name=name, exact=True).locator("visible=true")  # (Gradio keeps hidden copies)
    if tab.count():
        tab.first.click()
    else:
        page.locator("button[aria-label='More tabs']").click()
        page.locator(".overflow-dropdown button", has_text=name).locator("visible=true").first.click()


def fill(page, elem_id, text, enter=False):
    box = page.locator(f"#{elem_id}").get_by_role("textbox")
    box.fill(str(text))
    if enter:
        box.press("Enter")


def set_number(page, elem_id, value):
    field = page.locator(f"#{elem_id} {NUMBER_BOX}")
    field.fill(str(value))
    field.press("Enter")


def number_shown(page, elem_id):
    """The number in ``#elem_id``'s number box (written with the page's decimal sign)."""
    return float(page.locator(f"#{elem_id} {NUMBER_BOX}").input_value().replace(",", "."))


def choose(page, dropdown, option):
    page.locator(f"#{dropdown} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def no_sideways_scroll(page):
    return page.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth")


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def on_first_screen(page, selector):
    """The element is wholly on the first screen: page not scrolled, its bottom above the fold."""
    rect = box(page, selector)
    return page.evaluate("() => scrollY") == 0 and rect["y"] >= 0 and rect["y"] + rect["height"] <= page.viewport_size["height"]


def wait_in_view(page, selector):
    """Wait until the element's top is on the screen (a phone scrolls a new result into view)."""
    page.wait_for_function("s => { const top = document.querySelector(s).getBoundingClientRect().top;"
                           " return -2 <= top && top < innerHeight; }", arg=selector, timeout=5_000)


# A bar chart as drawn: [token, probability as the axis writes it, kind (translated), height px], left to right.
BARS_DRAWN = """id => [...document.querySelectorAll(`#${id} .bar-fill`)].map(b =>
  [b.dataset.token, b.dataset.p, b.dataset.kind, b.getBoundingClientRect().height])"""


def bars(page, elem_id):
    """A bar chart as drawn: [(token, kind, height px)], left to right."""
    return [(token, kind, height) for token, _, kind, height in page.evaluate(BARS_DRAWN, elem_id)]


def seed_in(label):
    return re.search(r"seed (\d+)", label).group(1)


def generate_on_page(page, client, prompt, locale="en", seed="", length=100, top_k=5):
    """Type ``prompt`` and ``seed`` (blank: a fresh one), generate, and wait for the last frame; returns
    the seed the page says it used and the API's answer for the same inputs."""
    fill(page, "generate-prompt", prompt)
    fill(page, "seed", seed)
    set_number(page, "length", length)
    set_number(page, "top-k", top_k)
    before = page.locator("#generate-made-by").inner_text()
    page.evaluate("scrollTo(0, 0)")  # filling the fields scrolled to them; a teacher starts at the top
    page.locator("#generate-button").click()
    if seed != "":
        expected = client.predict(prompt, 1.0, length, "Sampled", int(seed), top_k, api_name="/generate")
        wait_for_pieces(page, "generated", pieces_of(prompt, expected))
        wait_for_trace(page, expected, locale)
        return int(seed), expected
    # A fresh seed: the label changes with the first frame; the text must be the API's for the seed it names.
    page.wait_for_function(  # (only the seed: Gradio's progress timer shows inside the block too)
        "before => document.querySelector('#generate-made-by').innerText.match(/seed (\\d+)/)?.[1] !== before", arg=seed_in(before))
    for attempt in range(3):  # (Gradio may run the event once more right after a click that came mid-stream)
        seed = int(seed_in(page.locator("#generate-made-by").inner_text()))
        expected = client.predict(prompt, 1.0, length, "Sampled", seed, top_k, api_name="/generate")
        try:
            wait_for_pieces(page, "generated", pieces_of(prompt, expected), timeout=8_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    wait_for_trace(page, expected, locale)
    return seed, expected


def wait_for_trace(page, expected, locale="en"):
    """The trace follows the text, in an event of its own: wait for its rows and its first step's probability."""
    wait_for_rows(page, "trace", len(expected["steps"]))
    wait_for_text(page, "trace", percent(expected["steps"][0]["prob"], words(locale)))


# -- 2, 3, 5, 7: Generate ---------------------------------------------------------------------------------

@pytest.mark.parametrize("size, locale", EVERYWHERE)
def test_generate_draws_a_fresh_seed_says_what_made_it_and_shows_it_on_the_first_screen(
        open_app, client, default_model, size, locale):
    page = open_app(size, locale)
    open_tab(page, "tab_generate", locale)
    seed, expected = generate_on_page(page, client, "Moscow, ", locale)
    assert page.locator("#generate-made-by").inner_text() == made_by(default_model, "char", 1.0, seed, words(locale))
    if size == "phone":  # the page brought the result into view
        wait_in_view(page, "#generate-made-by")
    else:
        for result in ("#generated", "#bars-t1", "#bars-t"):
            assert on_first_screen(page, result), result
    assert no_sideways_scroll(page)

    again, second = generate_on_page(page, client, "Moscow, ", locale)  # a new click, a new seed
    assert again != seed and second["text"] != expected["text"]
    fill(page, "seed", seed)  # typed back, the seed gives the first text again
    page.locator("#generate-button").click()
    wait_for_pieces(page, "generated", pieces_of("Moscow, ", expected))


def test_a_click_while_the_page_open_generation_streams_is_not_dropped(open_app, client):
    page = open_app(shared=False, wait=False)
    page.locator("#generate-button").wait_for()
    fill(page, "generate-prompt", "President ")
    fill(page, "seed", 5)
    page.locator("#generate-button").click()  # while the page-open generation is still streaming
    expected = client.predict("President ", 1.0, 100, "Sampled", 5, 5, api_name="/generate")
    wait_for_pieces(page, "generated", pieces_of("President ", expected))
    page.wait_for_timeout(1500)  # longer than a reveal: nothing overwrites the answer to the click
    assert page.eval_on_selector_all("#generated .token .text", "es => es.map(e => e.textContent)") == pieces_of(
        "President ", expected)


# -- 8: the bars ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size, locale", EVERYWHERE)
def test_bars_show_the_rest_of_the_vocabulary_on_one_scale(open_app, client, size, locale):
    page = open_app(size, locale)
    open_tab(page, "tab_generate", locale)
    _, out = generate_on_page(page, client, "President", locale, seed=3, length=20)
    set_number(page, "step", 1)  # (the bars open on a later step: see the opening step's test)
    first = out["steps"][0]
    top = [(a[0], a[2], a[3]) for a in first["top"]]  # [token, id, p at T=1, p drawn from, removed]
    assert " " in [t for t, _, _ in top]  # after "President" a space is likely: it must read as ␣
    words_here = words(locale)
    expected_tokens = [shown(t) for t, _, _ in top] + [words_here["rest"]]
    page.wait_for_function(f"want => ({BARS_DRAWN})('bars-t').map(bar => bar[0]).join('|') === want.join('|')",
                           arg=expected_tokens)
    at_t1, at_t = bars(page, "bars-t1"), bars(page, "bars-t")
    assert [token for token, _, _ in at_t1] == [token for token, _, _ in at_t] == expected_tokens
    assert at_t1[-1][1] == words_here["rest_kind"] and "␣" in expected_tokens
    # One scale for both charts: pixels per unit of probability are the same for every bar.
    values = [p1 for _, p1, _ in top] + [1 - sum(p1 for _, p1, _ in top)]
    values += [p_t for _, _, p_t in top] + [1 - sum(p_t for _, _, p_t in top)]
    heights = [h for _, _, h in at_t1 + at_t]
    scales = [h / p for h, p in zip(heights, values) if p > 0.05]
    assert max(scales) / min(scales) < 1.05, scales
    plot = page.locator("#bars-t1 .bar-plot").bounding_box()["height"]
    assert max(heights) > 0.5 * plot  # the scale ends near the tallest bar, not at 100%
    ticks = page.locator("#bars-t1 .bar-ticks span").all_inner_texts()
    assert ticks[0] == "0%" and len(ticks) >= 3 and all(t.endswith("0%") for t in ticks)
    sizes = page.eval_on_selector_all(":is(#bars-t1, #bars-t) .bar-chart :is(span, .bar-y-title, .bar-x-title)",
                                      "ts => ts.map(t => parseFloat(getComputedStyle(t).fontSize))")
    assert len(sizes) == 2 * (2 + len(ticks) + len(expected_tokens)) and min(sizes) >= 16


# -- 1: the sweep -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("size, locale", [("laptop", "en"), ("phone", "nl-NL")])
def test_sweep_legend_colours_and_lines_follow_each_prompt(open_app, default_model, size, locale):
    page = open_app(size, locale)
    open_tab(page, "tab_sweep", locale)
    gen = chargen.load(default_model)
    for prompt in ["Today ", "Oil prices ", "Moscow, "]:
        tokens = [shown(p.token) for p in gen.start(prompt).proposals(1.0, k=5)]
        fill(page, "sweep-prompt", prompt)
        page.locator("#sweep-button").click()
        page.wait_for_function(
            "want => JSON.stringify([...document.querySelectorAll('#sweep-probabilities .role-legend-label text')]"
            ".map(t => t.textContent)) === JSON.stringify(want)", arg=tokens)
        legend = page.eval_on_selector_all(
            "#sweep-probabilities .role-legend-symbol path", "ps => ps.map(p => p.getAttribute('stroke'))")
        colour_of = dict(zip(tokens, legend))
        page.wait_for_function(
            "want => [...document.querySelectorAll('#sweep-probabilities .mark-line path')]"
            ".map(p => p.getAttribute('aria-label').split('token: ')[1]).sort().join() === [...want].sort().join()",
            arg=tokens)
        lines = page.eval_on_selector_all(
            "#sweep-probabilities .mark-line path",
            "ps => ps.map(p => [p.getAttribute('aria-label').split('token: ')[1], p.getAttribute('stroke')])")
        assert len(lines) == 5 and len(set(legend)) == 5
        assert {token: colour for token, colour in lines} == colour_of  # each line in its legend colour
    assert page.locator("#sweep-entropy .mark-line path").count() == 1


# -- 9, 10: Compare ---------------------------------------------------------------------------------------

# The settings ("T = 0.3") in these cells that are drawn over more than one line.
SETTINGS_BROKEN = """cells => [...document.querySelectorAll(cells)].flatMap(cell => {
  const node = [...cell.childNodes].find(n => n.nodeType === Node.TEXT_NODE) || cell.firstChild?.firstChild;
  return [...(node?.data || '').matchAll(/T\\s=\\s[\\d.,]+/g)].filter(found => {
    const range = document.createRange(); range.setStart(node, found.index); range.setEnd(node, found.index + found[0].length);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
  }).map(found => found[0]);
})"""


def table_rows(page, elem_id):
    return page.eval_on_selector_all(  # (a no-break space, which keeps "T = 0.3" whole, reads as a space)
        f"#{elem_id} tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText.replace(/\\u00a0/g, ' ')))")


@pytest.mark.parametrize("size, locale", EVERYWHERE)
def test_compare_orders_rows_reports_what_was_drawn_and_fits_the_screen(
        open_app, client, default_model, size, locale):
    page = open_app(size, locale)
    here = words(locale)
    open_tab(page, "tab_compare", locale)
    fill(page, "compare-prompt", "President ")
    for extra in ("2.5", "0.1"):  # ticked after the others, as the page writes them (2,5 in Dutch)
        shown_as = extra.replace(".", here["decimal"])
        checkbox = page.locator("#temperatures label", has_text=re.compile(rf"^\s*{re.escape(shown_as)}\s*$"))
        if not checkbox.locator("input").is_checked():
            checkbox.click()
    page.locator("#compare-button").click()
    order = [None, 0.1, 0.3, 0.8, 1.0, 1.3, 1.8, 2.5]
    expected = client.predict("President ", ["Greedy", *order[1:]], 100, COMPARE_SEED, api_name="/compare")["rows"]
    wait_for_text(page, "comparison", ("President " + expected[-1]["text"]).strip()[:30])
    wait_in_view(page, "#comparison")  # below a projector's fold, the page scrolls to it
    rows = table_rows(page, "comparison")
    labels = [made_by(default_model, "char", t, COMPARE_SEED, here) for t in order]
    assert [row[0] for row in rows] == labels  # (a phone's column names are CSS, not text)
    for row, api_row in zip(rows, expected):
        assert ("President " + api_row["text"]).strip() in row[1]
        entropy, bits_per_step = row[2:4]
        assert entropy == f"{api_row['mean_entropy_bits']:.2f}".replace(".", here["decimal"])
        assert bits_per_step == f"{api_row['bits_per_step']:.2f}".replace(".", here["decimal"])
    assert rows[0][2].endswith("0" + here["decimal"] + "00")  # greedy drew from one certain token
    assert page.evaluate(SETTINGS_BROKEN, "#comparison tbody td:first-child") == []  # "T = 0.3" whole, never "T =" / "0.3"
    assert no_sideways_scroll(page)
    headers = page.eval_on_selector_all("#comparison th", "hs => hs.map(h => h.scrollWidth <= h.clientWidth + 1)")
    assert all(headers)  # no header word is cut or broken

    page.locator("#grid-button").click()
    wait_for_text(page, "grid", "Little red riding hood")
    wait_in_view(page, "#grid")
    assert page.evaluate(SETTINGS_BROKEN, "#grid th") == []
    grid = table_rows(page, "grid")
    assert [row[0] for row in grid] == [p.strip() for p in LESSON_PROMPTS]
    assert no_sideways_scroll(page)
    # Every cell's text is on the screen in full: wrapped, never cut or scrolled sideways.
    cut = page.eval_on_selector_all(
        "#comparison td, #grid td",
        "cells => cells.filter(c => c.scrollWidth > c.clientWidth + 1 || c.getBoundingClientRect().right > innerWidth)"
        ".map(c => c.innerText)")
    assert not cut
    if size == "phone":  # rows stacked: each cell as wide as the row, one above the other
        widths = page.eval_on_selector_all("#grid tbody tr:first-child td", "cs => cs.map(c => c.getBoundingClientRect().width)")
        assert min(widths) > 0.6 * page.viewport_size["width"]


# -- 11: readable from the back row --------------------------------------------------------------------------

READABILITY = """() => {
  const rgba = s => { const m = s.match(/[\\d.]+/g).map(Number); return m.length === 3 ? [...m, 1] : m; };
  const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (top, bottom) => top.slice(0, 3).map((c, i) => c * top[3] + bottom[i] * (1 - top[3]));
  const background = e => {  // the colours behind e, blended from the page up
    const layers = [];
    for (let n = e; n; n = n.parentElement) { const c = rgba(getComputedStyle(n).backgroundColor); if (c[3] > 0) layers.push(c); }
    return layers.reverse().reduce((below, c) => over(c, below), [255, 255, 255]);
  };
  const problems = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const e = t.parentElement, text = t.textContent.trim();
    if (!text || !e || e.closest('footer, .toast-wrap, [aria-hidden=true], [disabled], svg, .hide, .sr-only')) continue;
    const rect = e.getBoundingClientRect(), style = getComputedStyle(e);
    if (!rect.width || !rect.height || style.visibility === 'hidden' || +style.opacity === 0 || !e.checkVisibility()) continue;
    const size = parseFloat(style.fontSize);
    const [fg, bg] = [over(rgba(style.color), background(e)), background(e)];
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const contrast = (a + 0.05) / (b + 0.05);
    if (size < 16 || contrast < 4.5) problems.push(`${text.slice(0, 30)} | ${size}px | ${contrast.toFixed(2)}:1 | ${style.color} on ${bg.map(Math.round)}`);
  }
  for (const t of document.querySelectorAll('svg text')) {  // the plots' ticks, titles and legends
    if (!t.getBoundingClientRect().width) continue;
    const size = parseFloat(getComputedStyle(t).fontSize);
    if (size < 16) problems.push(`svg ${t.textContent} | ${size}px`);
  }
  return problems;
}"""

BOLD_FACES = """() => {
  const loaded = [...document.fonts].filter(f => f.status === 'loaded').map(f => `${f.family.replace(/"/g, '')} ${f.weight}`);
  const problems = [];
  for (const e of document.querySelectorAll('strong, b, h1, h2, h3, th, button, .made-by p')) {
    const style = getComputedStyle(e);
    if (!e.getBoundingClientRect().width || +style.fontWeight < 600) continue;
    const family = style.fontFamily.split(',')[0].replace(/"/g, '').trim();
    if (!loaded.includes(`${family} ${style.fontWeight}`)) problems.push(`${e.textContent.trim().slice(0, 20)}: ${family} ${style.fontWeight}`);
  }
  return [...new Set(problems)];
}"""


@pytest.mark.parametrize("size, locale", [("laptop", "en"), ("projector", "nl-NL"), ("phone", "en"), ("phone", "nl-NL")])
def test_showing_each_view_leaves_the_tab_bar_as_it_was(open_app, size, locale):
    """Each tab once in the bar (or its overflow menu), whichever views were shown before."""
    page = open_app(size, locale)
    every_tab = [words(locale)[key] for key in TABS]
    bar = "[role=tablist] [role=tab]"
    for key in [*TABS[1:], TABS[0]]:
        open_tab(page, key, locale)
        expect(page.locator(bar + "[aria-selected=true]")).to_have_text(words(locale)[key])
        page.wait_for_timeout(500)  # a view's first answer arrives (a duplicate tab came with it)
        in_bar = texts(page, bar)
        in_menu = texts(page, ".overflow-dropdown button")
        assert len(in_bar) == len(set(in_bar)), (key, in_bar)
        assert sorted(in_bar + in_menu) == sorted(every_tab), (key, in_bar, in_menu)


@pytest.mark.parametrize("size, locale", EVERYWHERE)
def test_every_text_is_large_and_contrasted_in_every_view(open_app, size, locale):
    page = open_app(size, locale)
    for tab in TABS:
        open_tab(page, tab, locale)
        page.wait_for_timeout(300)
        page.evaluate("document.fonts.ready")  # a face first used in this view may still be loading
        assert page.evaluate(READABILITY) == [], tab
        assert page.evaluate(BOLD_FACES) == [], tab  # bold text is the family's own bold face, not a stand-in
        assert no_sideways_scroll(page), tab


def srgb_to_lab(rgb):
    def linear(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb)
    xyz = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.9505, 0.2126 * r + 0.7152 * g + 0.0722 * b, \
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.089
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


# Machado, Oliveira and Fernandes (2009), severity 1, on linear RGB.
DEFICIENCIES = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def as_seen(rgb, matrix):
    def linear(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    def gamma(c):
        c = min(max(c, 0.0), 1.0)
        return 255 * (12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055)
    lin = [linear(c) for c in rgb]
    return [gamma(sum(m * c for m, c in zip(row, lin))) for row in matrix]


def test_probability_bands_are_told_apart_with_colour_vision_deficiencies(open_app):
    """The legend's colours as drawn (over white), seen with each deficiency: every two bands at least
    a clearly visible difference apart (CIE76 distance over 12; 2.3 is just noticeable)."""
    page = open_app()
    open_tab(page, "tab_generate")
    drawn = page.eval_on_selector_all("#generated .legend-item, #generated .category-label",
                                      "items => items.map(i => getComputedStyle(i).backgroundColor)")
    colours = []
    for text in drawn:
        r, g, b, *alpha = map(float, re.findall(r"[\d.]+", text))
        a = alpha[0] if alpha else 1.0
        colours.append([c * a + 255 * (1 - a) for c in (r, g, b)])
    assert len(colours) == 4
    for name, matrix in [("normal", None), *DEFICIENCIES.items()]:
        seen = [srgb_to_lab(c if matrix is None else as_seen(c, matrix)) for c in colours]
        distances = [math.dist(a, b) for i, a in enumerate(seen) for b in seen[i + 1:]]
        assert min(distances) > 12, (name, distances)


# -- 6, 4: levels and models ------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", LOCALES)
def test_a_new_model_redraws_every_result_and_the_labels_follow_its_level(open_app, locale):
    page = open_app(locale=locale, shared=False)  # it changes the model
    here = words(locale, "word")
    old = page.locator("#generated").inner_text()
    choose(page, "model", "words")
    page.wait_for_function("() => document.querySelector('#generate-made-by').innerText.startsWith('words')")
    assert page.locator("#generated").inner_text() != old
    page.wait_for_function("unit => document.querySelector('.intro').innerText.includes(unit)", arg=here["unit_word"])
    wait_for_text(page, "generated", here["generated"])  # "Each word coloured ..."
    open_tab(page, "tab_compare", locale)
    wait_for_text(page, "comparison", "words (")
    made = [row[0] for row in table_rows(page, "comparison")]
    assert all(label.startswith(f"words ({here['units_word']})") for label in made), made
    assert here["real_words"] not in page.locator("#comparison thead").inner_text()  # every word is real
    open_tab(page, "tab_step", locale)
    wait_for_text(page, "step-intro", here["step_intro"][:60])
    open_tab(page, "tab_sweep", locale)
    wait_for_text(page, "sweep-probabilities", here["sweep_probs"])
    open_tab(page, "tab_about", locale)
    wait_for_text(page, "card", here["card_val"])
    card = page.locator("#card").inner_text()
    assert f"{here['card_val']}: {'8.401'.replace('.', here['decimal'])}" in card  # 8.4 bits per word, not per character
    assert for_level(LABELS[locale[:2]], "char")["card_val"] not in card


# -- 12: Step through ------------------------------------------------------------------------------------

def start_stepping(page, prompt, locale):
    """Step through from ``prompt``: Start, and wait for step 0; returns the status line."""
    open_tab(page, "tab_step", locale)
    fill(page, "step-prompt", prompt)
    page.locator("#start-button").click()
    status = page.locator("#step-status")
    status.get_by_text(words(locale)["step_status"].split("{n}")[0] + "0").wait_for()
    return status


@pytest.mark.parametrize("size, locale", EVERYWHERE)
def test_step_through_fits_the_screen_and_a_typed_temperature_redraws_the_proposals(
        open_app, default_model, size, locale):
    page = open_app(size, locale)
    here = words(locale)
    status = start_stepping(page, "Today ", locale)
    if size == "phone":
        wait_in_view(page, "#step-status")
    else:
        for result in ("#stepped", "#proposals", "#step-bars-t"):
            assert on_first_screen(page, result), result
    assert "greedy" not in page.locator("#step-bars-t").inner_text().lower()
    assert here["greedy_label"] not in page.locator("#step-bars-t").inner_text().lower()

    set_number(page, "step-temperature", 2.5)  # typed, then Enter
    expected = [f"{shown(p.token)} {100 * p.p:.1f}%".replace(".", here["decimal"])
                for p in chargen.load(default_model).start("Today ").proposals(2.5, k=5)]
    page.wait_for_function(
        "want => JSON.stringify([...document.querySelectorAll('#proposals button')].filter(b => b.offsetParent)"
        ".map(b => b.innerText.replace(/\\s+/g, ' ').trim())) === JSON.stringify(want)", arg=expected)
    page.locator("#proposals button:visible").first.click()
    status.get_by_text(here["step_status"].split("{n}")[0] + "1").wait_for()
    assert "T = 2" + here["decimal"] + "5" in status.inner_text()
    page.locator("#undo-button").click()
    status.get_by_text(here["step_status"].split("{n}")[0] + "0").wait_for()
    set_number(page, "step-temperature", 1)


# -- 13: Dutch ------------------------------------------------------------------------------------------

def english_only(text):
    """Our English labels that Dutch says otherwise, as plain text a page could show."""
    found = []
    for key, english in LABELS["en"].items():
        dutch = LABELS["nl"][key]
        if english == dutch or key in ("decimal", "thousands"):
            continue
        for line in re.sub(r"[*#]|^- ", "", for_level(LABELS["en"], "char")[key], flags=re.M).splitlines():
            line = re.split(r"\{", line)[0].strip()  # the fixed text before any placeholder
            if len(line) >= 8 and re.search(rf"(?<!\w){re.escape(line)}(?!\w)", text):
                found.append(line)
    return found


# The page's own words: what it shows less what the model wrote (English headlines) and the lesson's prompts.
LABEL_TEXT = """() => {
  const data = '#generated, #stepped, #trace, #comparison tbody, #grid tbody, #proposals, .vega-embed, .gallery, textarea, '
    + '.bar-labels span:not(:last-child)';
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const e = t.parentElement;
    if (e && e.checkVisibility() && !e.closest(data) && t.textContent.trim()) parts.push(t.textContent.trim());
  }
  return parts.join('\\n');
}"""


# Numbers Gradio writes itself (the page's script gives them the language's decimal sign), shown ones only.
GRADIO_NUMBERS = ":is(.min_value, .max_value, #temperatures label, .vega-embed svg text):visible"


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_dutch_page_shows_no_english_label_and_dutch_numbers(open_app, client, size):
    page = open_app(size, "nl-NL")
    here = words("nl")
    for tab in TABS:
        open_tab(page, tab, "nl")
        page.wait_for_timeout(300)
        shown_text = page.evaluate(LABEL_TEXT)
        assert english_only(shown_text) == [], tab
        assert not re.search(r"\b(greedy|characters|Warning|Error)\b", shown_text.replace("(greedy)", "")), tab
    # Gradio's own numbers with the decimal sign: the temperature sliders' bounds, Compare's choices, the sweep's axes
    for tab, element, decimal in [("tab_step", "#step-temperature .min_value", "0,1"), ("tab_compare", "#temperatures", "2,5"),
                                  ("tab_sweep", "#sweep-probabilities .vega-embed svg", re.compile(r"\d,\d"))]:
        open_tab(page, tab, "nl")
        expect(page.locator(element)).to_contain_text(decimal)
        numbers = page.eval_on_selector_all(GRADIO_NUMBERS, "elements => elements.map(e => e.textContent.trim())")
        assert not [n for n in numbers if re.search(r"\d\.\d", n)], tab
    open_tab(page, "tab_generate", "nl")
    _, out = generate_on_page(page, client, "Moscow, ", "nl", seed=4)
    trace = page.locator("#trace").inner_text()
    assert f"{100 * out['steps'][0]['prob']:.1f}%".replace(".", ",") in trace
    breaking = page.eval_on_selector_all(  # headers wrap between words only ("herhaalde 4‑grammen", "kans bij T=1")
        "#trace th, #trace th *, #comparison th",
        "hs => hs.filter(h => getComputedStyle(h).wordBreak !== 'normal' || getComputedStyle(h).overflowWrap !== 'normal')"
        ".map(h => h.textContent)")
    assert breaking == []
    open_tab(page, "tab_about", "nl")
    assert "10.797" in page.locator("#card").inner_text() and "koppen" in page.locator("#card").inner_text()
    open_tab(page, "tab_generate", "nl")
    fill(page, "generate-prompt", "")
    page.locator("#generate-button").click()
    toast = page.locator(".toast-body").last
    expect(toast).to_contain_text(f"{here['warning']}: {here['refuse_empty']}")
    assert not page.locator(".toast-title").first.is_visible()  # Gradio's English "Warning" title
    page.locator(".toast-close").last.click()


def test_bad_input_gets_a_message_and_the_page_goes_on(open_app, client):
    page = open_app()
    open_tab(page, "tab_generate")
    fill(page, "generate-prompt", "")
    page.locator("#generate-button").click()
    page.get_by_text("Note: the prompt is empty").first.wait_for()
    page.locator(".toast-close").last.click()
    generate_on_page(page, client, "Today ", seed=2, length=3)  # the page goes on


def test_the_word_model_generates_compares_with_characters_and_steps(open_app, client, default_model):
    """The shipped word model in every view that decodes: generate, compare beside a
    character model, and step through word by word."""
    page = open_app(shared=False)  # it changes the model
    choose(page, "model", "words")
    page.wait_for_function("() => document.querySelector('#generate-made-by').innerText.startsWith('words')")
    fill(page, "generate-prompt", "Oil prices ")
    fill(page, "seed", 0)
    set_number(page, "length", 6)
    page.locator("#generate-button").click()
    expected = client.predict("Oil prices ", 1.0, 6, "Sampled", 0, 5, "words", api_name="/generate")
    wait_for_pieces(page, "generated", pieces_of("Oil prices ", expected))
    wait_for_trace(page, expected)
    assert re.search(r"\bword\b", page.locator("#trace").inner_text())

    open_tab(page, "tab_compare")
    compared = client.predict("President ", ["Greedy", 0.3, 0.8, 1.0, 1.3, 1.8], 100, COMPARE_SEED, "words", default_model,
                              api_name="/compare")["rows"]
    fill(page, "compare-prompt", "President ")
    choose(page, "compare-with", default_model)
    page.locator("#compare-button").click()
    wait_for_text(page, "comparison", ("President " + compared[1]["text"]).strip())
    rows = table_rows(page, "comparison")
    assert [row[0].split(" ")[0] for row in rows[:4]] == ["words", default_model, "words", default_model]
    for row, api_row in zip(rows, compared):
        assert ("President " + api_row["text"]).strip() in row[1]

    open_tab(page, "tab_step")
    fill(page, "step-prompt", "Oil prices ")
    page.locator("#start-button").click()
    wait_for_pieces(page, "stepped", ["Oil prices "])  # started on this prompt
    status = page.locator("#step-status")
    first = page.locator("#proposals button:visible").first.inner_text().split()[0]
    assert first == chargen.load("words").start("Oil prices ").proposals()[0].token  # the model's likeliest next word
    page.locator("#proposals button:visible").first.click()
    status.get_by_text("Step 1:").wait_for()
    page.locator("#sample-button").click()
    status.get_by_text("Step 2:").wait_for()
    assert texts(page, "#stepped .token .text")[0] == "Oil prices"


# -- Score a headline (issue 18, 4) -----------------------------------------------------------------

def rgb(colour):
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


@pytest.mark.parametrize("size, locale", [(size, locale) for size in ("laptop", "phone") for locale in LOCALES])
def test_score_colours_each_token_by_its_rank_and_shows_what_the_model_expected(open_app, default_model, size, locale):
    page = open_app(size, locale)
    open_tab(page, "tab_score", locale)
    per_char = {}
    for headline in EXAMPLES:  # one the models were trained on, one they never saw
        fill(page, "score-text", headline)
        page.locator("#score-button").click()
        for side, model in (("a", default_model), ("b", "words")):
            gen = chargen.load(model)
            w = words(locale, gen.vocab.level)
            score = gen.score(headline)
            wait_for_text(page, f"score-made-{side}", number(score.bits_per_char, w, 2))
            page.wait_for_timeout(400)  # the pieces' colours settle (Gradio fades them in)
            bands = rank_bands(w)
            legend = page.eval_on_selector_all(f"#scored-{side} .legend-item", "es => es.map(e => [e.textContent.trim(), getComputedStyle(e).backgroundColor])")
            assert [name for name, _ in legend] == [name for _, name in bands]  # one scale on both sides, in this language
            expect(page.locator(f"#expected-{side}")).to_have_text(w["score_click"])  # "Click a word" beside words
            drawn = page.eval_on_selector_all(f"#scored-{side} .token", "es => es.map(e => getComputedStyle(e).backgroundColor)")
            assert len(drawn) == len(score.tokens)
            for token, colour in zip(score.tokens, drawn):  # each token in its rank band's colour
                band = next(i for i, (highest, _) in enumerate(bands) if token.rank <= highest)
                drawn_rgb = [int(c) for c in re.findall(r"\d+", colour)[:3]]  # (Gradio shifts a colour a little)
                nearest = min(RANK_COLOURS, key=lambda c: sum((a - b) ** 2 for a, b in zip(drawn_rgb, rgb(c))))
                assert nearest == RANK_COLOURS[band], (token, colour)
            per_char[headline, model] = score.bits_per_char
        # a click on a character shows what the model expected there
        gen = chargen.load(default_model)
        token = gen.score(headline).tokens[5]
        page.locator("#scored-a .token .text").nth(5).click()
        w = words(locale)
        wait_for_text(page, "expected-a", percent(token.top[0].p_t1, w))
        page.wait_for_function(  # the model's guesses, most probable first
            "want => [...document.querySelectorAll('#expected-a tbody tr')].map(r => r.cells[0]?.innerText.trim())"
            ".join('|') === want", arg="|".join(shown(a.token) for a in token.top), timeout=10_000)
        assert f"{number(token.rank, w)}" in page.locator("#expected-a").inner_text()
    assert no_sideways_scroll(page)
    for model in (default_model, "words"):  # the model knows its training title better than a test title
        assert per_char[EXAMPLES[0], model] < per_char[EXAMPLES[1], model]


# Each character of a coloured text with its box: [character, left, right, top].
CHARACTER_BOXES = """id => [...document.querySelectorAll(`#${id} .token .text`)].flatMap(piece => {
  const node = piece.firstChild;
  return [...node.data].map((c, i) => {
    const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
    const rect = range.getBoundingClientRect();
    return [c, rect.left, rect.right, rect.top];
  });
})"""


@pytest.mark.parametrize("size", ["phone", "projector"])
def test_coloured_text_reads_as_text_and_breaks_lines_between_words(open_app, client, size):
    page = open_app(size)
    open_tab(page, "tab_generate")
    long_prompt = "Microsoft announces international partnership agreements with European telecommunications "
    for prompt, seed, length in [(long_prompt, 2, 40), ("Today ", 0, 100)]:  # long prompt; generated words
        generate_on_page(page, client, prompt, seed=seed, length=length)
        chars = page.evaluate(CHARACTER_BOXES, "generated")
        lines = [[chars[0]]]
        for char in chars[1:]:  # a new line starts where a character sits below the one before
            (lines.append([char]) if char[3] > lines[-1][-1][3] + 5 else lines[-1].append(char))
        assert len(lines) >= 2, prompt
        for line, following in zip(lines, lines[1:]):  # every line ends at a space: no word is cut in two
            assert line[-1][0] == " " or following[0][0] in " ⏎", ("".join(c for c, *_ in line), following[0][0])
        for line in lines:  # no gaps between the pieces: each character starts where the one before ended
            assert all(abs(b[1] - a[2]) < 1 for a, b in zip(line, line[1:])), "".join(c for c, *_ in line)


def test_a_click_on_a_generated_piece_draws_that_steps_bars(open_app, client):
    page = open_app()
    open_tab(page, "tab_generate")
    seed, expected = generate_on_page(page, client, "Oil prices ", seed=3, length=30)
    w = words("en")
    for step in (4, 2):
        page.locator("#generated .token .text").nth(step).click()  # piece 0 is the prompt: piece i is step i
        want = shown(expected["steps"][step - 1]["token"])
        page.wait_for_function(f"([want, chosen]) => ({BARS_DRAWN})('bars-t1').some(bar => bar[0] === want && bar[2] === chosen)",
                               arg=[want, w["chosen"]], timeout=10_000)
        assert number_shown(page, "step") == step


# -- Copied titles (issue 18, 5) --------------------------------------------------------------------

@pytest.mark.parametrize("size, locale", [("laptop", "en"), ("phone", "nl-NL")])
def test_a_generated_title_copied_from_training_is_marked(open_app, default_model, size, locale):
    page = open_app(size, locale, shared=False)  # Compare's own first settings: the lesson's temperatures
    open_tab(page, "tab_compare", locale)
    prompt = "Report: Bribes Got Bomb Suspects on Planes "  # a training title, all but its end
    gen = chargen.load(default_model)
    rows = gen.compare(prompt, [None, *LESSON_TEMPERATURES], length=100, seed=COMPARE_SEED)  # the page's, greedy first
    copied_rows = [gen.copied(out) for out in rows]
    assert True in copied_rows and False in copied_rows  # low T ends the title as in training; high T does not
    fill(page, "compare-prompt", prompt, enter=True)
    wait_for_text(page, "comparison", (prompt + rows[-1].text).strip()[:40])
    copied = words(locale)["copied"]
    assert [row[0].endswith(copied) for row in table_rows(page, "comparison")] == copied_rows

    open_tab(page, "tab_generate", locale)  # Generate, greedy: the training title, marked
    page.locator("#decoding label", has_text=words(locale)["greedy"]).click()
    fill(page, "generate-prompt", prompt)
    page.locator("#generate-button").click()
    wait_for_text(page, "generated", prompt + rows[0].text[:20])
    expect(page.locator("#generate-made-by")).to_contain_text(copied)


# -- Live temperature, samplers, 1,000 draws (issue 18, points 1-3) ------------------------------------

BARS_BY_TOKEN = f"id => Object.fromEntries(({BARS_DRAWN})(id).map(([token, ...bar]) => [token, bar]))"


def drawn_by_token(page, elem_id):
    """{token: (probability as the axis writes it, kind, height px)} of a bar chart as drawn."""
    return {token: tuple(bar) for token, bar in page.evaluate(BARS_BY_TOKEN, elem_id).items()}


def expected_bars(d, ids, here):
    """{token: percent} a chart of ``d`` shows for ``ids`` and the rest: removed tokens at p at T = 1."""
    shown_p = {shown(str(d.tokens[i])): float(d.p_t1[i] if d.p[i] == 0 else d.p[i]) for i in ids}
    shown_p[here["rest"]] = max(0.0, 1 - sum(float(d.p[i]) for i in ids))
    return {token: whole_percent(p) for token, p in shown_p.items()}


def wait_for_bars(page, elem_id, want, timeout=30_000):
    """Wait until ``#elem_id`` draws ``want`` {token: percent}; else fail saying what it draws."""
    try:
        page.wait_for_function(f"want => {{ const got = ({BARS_BY_TOKEN})('{elem_id}');"
                               " return Object.keys(want).every(t => got[t] && got[t][0] === want[t]); }", arg=want,
                               timeout=timeout)
    except PlaywrightTimeout:
        drawn = {token: bar[0] for token, bar in drawn_by_token(page, elem_id).items()}
        pytest.fail(f"#{elem_id} never drew {want}; it draws {drawn}.\n{sent(page)}")


def one_scale(page, elem_id, d_values):
    """Bar heights against {token: p}: pixels per unit of probability the same for every clear bar."""
    drawn = drawn_by_token(page, elem_id)
    scales = [drawn[t][2] / p for t, p in d_values.items() if p > 0.03]
    return max(scales) / min(scales)


def slider_x(page, elem_id, value, low, high):
    """Where a range input's thumb stands at ``value``."""
    rect = box(page, f"#{elem_id} input[type=range]")
    thumb = 16
    return rect["x"] + thumb / 2 + (value - low) / (high - low) * (rect["width"] - thumb), rect["y"] + rect["height"] / 2


def drag_slider(page, elem_id, start, end, low, high, while_held=None):
    """Press the thumb at ``start``, move it to ``end`` in small steps; ``while_held()`` runs before release."""
    x0, y = slider_x(page, elem_id, start, low, high)
    x1, _ = slider_x(page, elem_id, end, low, high)
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x1, y, steps=8)
    if while_held:
        while_held()
    page.mouse.up()


def open_samplers(page, prefix):
    """Open the truncation controls, and give Gradio the frames it takes to finish drawing what a closed
    accordion held (it sets their first values then: a value typed in sooner may be put back)."""
    header = page.locator(f"#{prefix}-samplers > button").first
    if not page.locator(f"#{prefix}-sampler-top-k").is_visible():
        header.click()
    page.locator(f"#{prefix}-sampler-min-p {NUMBER_BOX}").wait_for()
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


@pytest.mark.parametrize("size, locale", [("laptop", "en"), ("projector", "en"), ("phone", "nl-NL")])
def test_dragging_the_temperature_redraws_the_bars_as_it_moves_and_keeps_the_text(
        open_app, client, default_model, size, locale):
    page = open_app(size, locale)
    here = words(locale)
    open_tab(page, "tab_generate", locale)
    _, expected = generate_on_page(page, client, "Oil prices ", locale, seed=3, length=20)
    text = texts(page, "#generated .token .text")
    out = chargen.load(default_model).generate("Oil prices ", length=20, temperature=1.0, seed=3, alternatives=5)
    ids = [a.id for a in out.steps[0].top] + [out.steps[0].id] * (out.steps[0].id not in [a.id for a in out.steps[0].top])
    page.locator("#temperature").scroll_into_view_if_needed()

    def redrawn_while_held():  # the bars follow the thumb before it is let go
        t = number_shown(page, "temperature")
        assert abs(t - 0.5) <= 0.1
        wait_for_bars(page, "bars-t", expected_bars(out.distribution(0, temperature=t), ids, here))
    drag_slider(page, "temperature", 1.0, 0.5, 0.1, 3.0, redrawn_while_held)
    t = number_shown(page, "temperature")
    d = out.distribution(0, temperature=t)
    wait_for_bars(page, "bars-t", expected_bars(d, ids, here))
    values = {shown(str(d.tokens[i])): float(d.p[i]) for i in ids}
    values[here["rest"]] = 1 - sum(float(d.p[i]) for i in ids)
    assert one_scale(page, "bars-t", values) < 1.05  # heights are the core's probabilities at the dragged T
    at_t1 = drawn_by_token(page, "bars-t1")
    assert at_t1[shown(str(d.tokens[ids[0]]))][0] == whole_percent(float(d.p_t1[ids[0]]))  # T = 1 stays
    assert texts(page, "#generated .token .text") == text  # the text stays until Generate
    expect(page.locator("#generate-order [data-testid=markdown]")).to_have_text(  # (not a progress timer beside it)
        order_line(dict(temperature=t, **OFF_SAMPLERS), here))
    set_number(page, "temperature", 1)


OFF_SAMPLERS = dict(top_k=None, top_p=None, min_p=None)


# In full runs under load, samplers typed in just after their accordion opened were sometimes not what the server
# got (3 of about 8 runs, before open_samplers waited for Gradio's frames; not seen since): tried again, and a
# failure names what the page asked the server and what its sliders held.
SAMPLERS_SOMETIMES_LOST = pytest.mark.flaky(reruns=2)


@SAMPLERS_SOMETIMES_LOST
@pytest.mark.parametrize("size, locale", [(size, locale) for size in ("laptop", "phone") for locale in LOCALES])
def test_truncation_greys_what_it_removes_says_its_order_and_makes_compare_rows(
        open_app, client, default_model, size, locale):
    page = open_app(size, locale, shared=False)  # Compare's own first temperatures
    here = words(locale)
    open_tab(page, "tab_generate", locale)
    generate_on_page(page, client, "Oil prices ", locale, seed=3, length=20)
    gen = chargen.load(default_model)
    out = gen.generate("Oil prices ", length=20, temperature=1.0, seed=3, alternatives=5)
    first = out.steps[0]
    ids = [a.id for a in first.top] + [first.id] * (first.id not in [a.id for a in first.top])
    open_samplers(page, "generate")
    set_number(page, "generate-sampler-top-k", 2)
    set_number(page, "generate-sampler-top-p", 0.9)
    settings = dict(temperature=1.0, top_k=2, top_p=0.9, min_p=None)
    d = out.distribution(0, **{k: v for k, v in settings.items()})
    wait_for_bars(page, "bars-t", expected_bars(d, ids, here))
    order = page.locator("#generate-order [data-testid=markdown]")
    expect(order).to_have_text(order_line(settings, here))
    assert f"top-k 2 → top-p 0{here['decimal']}9 → {here['renormalise']}" in order.inner_text()
    at_t, at_t1 = drawn_by_token(page, "bars-t"), drawn_by_token(page, "bars-t1")
    removed = [shown(str(d.tokens[i])) for i in ids if d.p[i] == 0]
    assert len(removed) >= 3  # top-k 2 leaves two of the five
    for token in removed:  # greyed, at the height it has at T = 1
        assert at_t[token][1] == here["removed"] and abs(at_t[token][2] - at_t1[token][2]) <= 1, token
    kept = {shown(str(d.tokens[i])): float(d.p[i]) for i in ids if d.p[i] > 0}
    assert sum(kept.values()) == pytest.approx(1) and all(at_t[t][1] != here["removed"] for t in kept)
    # Generate with them: the label says what made the text, and the text is the core's
    page.locator("#generate-button").click()
    made = made_by(default_model, "char", 1.0, 3, here, dict(top_k=2, top_p=0.9, min_p=None))
    expect(page.locator("#generate-made-by")).to_have_text(made)
    truncated = gen.generate("Oil prices ", length=20, temperature=1.0, seed=3, top_k=2, top_p=0.9)
    wait_for_pieces(page, "generated", ["Oil prices ", *(s.text or "⏎" for s in truncated.steps)])
    set_number(page, "generate-sampler-top-k", 0)
    set_number(page, "generate-sampler-top-p", 1)

    # Compare: each temperature without, then with top-p 0.9 (greedy once: it ignores samplers)
    open_tab(page, "tab_compare", locale)
    fill(page, "compare-prompt", "President ")
    open_samplers(page, "compare")
    set_number(page, "compare-sampler-top-p", 0.9)
    page.locator("#compare-button").click()
    plain = gen.compare("President ", [None, *LESSON_TEMPERATURES], length=100, seed=COMPARE_SEED)
    cut = gen.compare("President ", LESSON_TEMPERATURES, length=100, seed=COMPARE_SEED, top_p=0.9)
    want = [plain[0]] + [row for pair in zip(plain[1:], cut) for row in pair]
    wait_for_text(page, "comparison", ("President " + want[-1].text).strip()[:30])
    rows = table_rows(page, "comparison")
    assert [row[0] for row in rows] == [
        made_by(default_model, "char", out.temperature, COMPARE_SEED, here, dict(top_k=out.top_k, top_p=out.top_p, min_p=out.min_p))
        for out in want]
    assert [row[1] for row in rows] == [("President " + out.text).strip() for out in want]
    set_number(page, "compare-sampler-top-p", 1)
    assert no_sideways_scroll(page)


@pytest.mark.parametrize("size, locale", [(size, locale) for size in ("laptop", "phone") for locale in LOCALES])
def test_drawing_a_step_1000_times_shows_the_draws_beside_the_bars_and_their_distance(
        open_app, client, default_model, size, locale):
    page = open_app(size, locale)
    here = words(locale)
    open_tab(page, "tab_generate", locale)
    generate_on_page(page, client, "Oil prices ", locale, seed=3, length=20)
    out = chargen.load(default_model).generate("Oil prices ", length=20, temperature=1.0, seed=3, alternatives=5)
    step = out.steps[1]
    ids = [a.id for a in step.top] + [step.id] * (step.id not in [a.id for a in step.top])
    set_number(page, "temperature", 1)
    set_number(page, "step", 2)
    seeds = []
    for _ in range(2):  # a new seed each press
        line = page.locator("#generate-draws [data-testid=markdown]")  # (not Gradio's progress timer beside it)
        before = line.inner_text()
        page.locator("#draw-button").click()
        expect(line).not_to_have_text(before)
        expect(line).to_contain_text("seed")
        line = line.inner_text()
        seed = int(seed_in(line))
        draws = out.distribution(1).sample(1_000, seed)
        assert line == draws_line(draws, 1.0, here)  # the core's distance for that seed
        shares = {shown(str(out.distribution(1).tokens[i])): draws.counts[i] / 1_000 for i in ids}
        shares[here["rest"]] = 1 - sum(shares.values())
        page.wait_for_function("want => { const got = (" + BARS_BY_TOKEN + ")('bars-drawn');"
                               " return Object.keys(want).every(t => got[t] && got[t][0] === want[t]); }",
                               arg={t: whole_percent(s) for t, s in shares.items()})
        drawn, at_t = drawn_by_token(page, "bars-drawn"), drawn_by_token(page, "bars-t")
        assert all(kind == here["drawn_kind"] for token, (_, kind, _) in drawn.items() if token != here["rest"])
        assert sum(round(s * 1_000) for s in shares.values()) == 1_000  # every draw counted, the rest as one bar
        # one scale: the draws' bars and the exact bars at T, token by token
        exact = {shown(str(out.distribution(1).tokens[i])): float(out.distribution(1).p[i]) for i in ids}
        scale = max(at_t[t][2] / p for t, p in exact.items() if p > 0.03)
        assert all(abs(drawn[t][2] / scale - s) < 0.02 for t, s in shares.items())
        assert not page.locator("#bars-t1").is_visible()  # the draws stand in the T = 1 bars' place, beside those at T
        seeds.append(seed)
    assert seeds[0] != seeds[1]
    set_number(page, "temperature", 0.3)  # other settings: the draws are put away, T = 1 is back
    expect(page.locator("#bars-drawn")).to_be_hidden()
    expect(page.locator("#bars-t1")).to_be_visible()
    expect(page.locator("#generate-draws [data-testid=markdown]")).to_have_text("")
    set_number(page, "temperature", 1)


@SAMPLERS_SOMETIMES_LOST
@pytest.mark.parametrize("size, locale", [("laptop", "en"), ("projector", "nl-NL"), ("phone", "nl-NL")])
def test_step_through_redraws_live_truncates_and_draws_without_changing_the_text(
        open_app, default_model, size, locale):
    page = open_app(size, locale)
    here = words(locale)
    status = start_stepping(page, "Today ", locale)
    page.locator("#proposals button:visible").first.click()
    status.get_by_text(here["step_status"].split("{n}")[0] + "1").wait_for()
    text = texts(page, "#stepped .token .text")
    stepper = chargen.load(default_model).start("Today ")
    stepper.choose(stepper.proposals()[0].id)
    page.locator("#step-temperature").scroll_into_view_if_needed()

    def redrawn_while_held():
        t = number_shown(page, "step-temperature")
        d = stepper.distribution(t)
        wait_for_bars(page, "step-bars-t", expected_bars(d, [p.id for p in stepper.proposals(t, k=5)], here))
    drag_slider(page, "step-temperature", 1.0, 2.0, 0.1, 3.0, redrawn_while_held)
    assert texts(page, "#stepped .token .text") == text
    t = number_shown(page, "step-temperature")
    open_samplers(page, "step")
    set_number(page, "step-sampler-min-p", 0.1)
    d = stepper.distribution(t, min_p=0.1)
    ids = [p.id for p in stepper.proposals(t, k=5)]
    wait_for_bars(page, "step-bars-t", expected_bars(d, ids, here))
    expect(page.locator("#step-order [data-testid=markdown]")).to_have_text(order_line(dict(temperature=t, top_k=None, top_p=None, min_p=0.1), here))
    page.locator("#step-draw-button").click()
    page.wait_for_function("() => /seed \\d+/.test(document.querySelector('#step-draws').innerText)")
    line = page.locator("#step-draws [data-testid=markdown]").inner_text()
    assert line == draws_line(d.sample(1_000, int(seed_in(line))), t, here)
    assert texts(page, "#stepped .token .text") == text  # redraws and draws never change the text
    set_number(page, "step-sampler-min-p", 0)
    set_number(page, "step-temperature", 1)


# -- issue 26: the page as a teacher and a class use it -----------------------------------------------------

def type_keys(page, field, text):
    """Type ``text`` into ``field`` key by key, as a person does, then Enter: no refusal while typing."""
    field.click()
    field.press("Control+a")
    for key in text:
        page.keyboard.type(key)
        page.wait_for_timeout(200)  # time for an answer to a value sent on this key
        assert not page.locator(".toast-body").count(), f"a refusal while {text!r} was typed"
    page.keyboard.press("Enter")


@pytest.mark.parametrize("size, locale", [("laptop", "nl-NL"), ("projector", "en"), ("phone", "nl-NL")])
def test_a_typed_decimal_comma_means_a_decimal_in_every_number_box(open_app, client, default_model, size, locale):
    page = open_app(size, locale, shared=False)
    here = words(locale)
    open_samplers(page, "generate")
    for elem_id, typed in (("temperature", "0,3"), ("generate-sampler-top-p", "0,9"),
                           ("generate-sampler-min-p", "0,05"), ("length", "20")):
        type_keys(page, page.locator(f"#{elem_id} {NUMBER_BOX}"), typed)
        expect(page.locator(f"#{elem_id} {NUMBER_BOX}")).to_have_value(typed.replace(",", here["decimal"]))
        assert box(page, f"#{elem_id} {NUMBER_BOX}")["width"] < 120  # a slider's small box, as Gradio draws it
    fill(page, "seed", 4)
    page.locator("#generate-button").click()
    expected = client.predict(LESSON_PROMPTS[0], 0.3, 20, "Sampled", 4, 5, top_p=0.9, min_p=0.05, api_name="/generate")
    made = made_by(default_model, "char", 0.3, 4, here, dict(top_k=None, top_p=0.9, min_p=0.05))
    expect(page.locator("#generate-made-by")).to_have_text(made)
    wait_for_pieces(page, "generated", pieces_of(LESSON_PROMPTS[0], expected))
    assert not page.locator(".toast-body").count()

    type_keys(page, page.locator("#seed").get_by_role("textbox"), "0,3")  # whole numbers only: 0,3 is refused as 0.3
    page.locator("#generate-button").click()
    refusal = phrase("whole", dict(name="seed", low=0, high=MAX_SEED, value=0.3), here)
    expect(page.locator(".toast-body").last).to_contain_text(f"{here['warning']}: {refusal}")

    page.locator("#temperature").scroll_into_view_if_needed()
    drag_slider(page, "temperature", 0.3, 1.2, 0.1, 3.0)  # dragged, the box writes the page's decimal sign too
    dragged = page.locator(f"#temperature {NUMBER_BOX}").input_value()
    assert re.fullmatch(r"\d+(" + re.escape(here["decimal"]) + r"\d+)?", dragged), dragged


@pytest.mark.parametrize("locale", LOCALES)
def test_a_phone_shows_every_view_at_a_glance_and_scrolls_to_a_score_and_a_sweep(open_app, locale):
    page = open_app("phone", locale)
    tabs = page.locator("[role=tablist] [role=tab]").locator("visible=true")
    assert sorted(texts(page, "[role=tablist] [role=tab]:visible")) == sorted(words(locale)[key] for key in TABS)
    assert all(0 <= tab["x"] and tab["x"] + tab["width"] <= page.viewport_size["width"]
               for tab in (tabs.nth(i).bounding_box() for i in range(tabs.count())))
    for tab, button, result in (("tab_score", "#score-button", "#score-made-a"), ("tab_sweep", "#sweep-button", "#sweep-probabilities")):
        open_tab(page, tab, locale)
        page.locator(result).wait_for()
        page.evaluate("scrollTo(0, 0)")
        page.locator(button).click()
        wait_in_view(page, result)


@pytest.mark.parametrize("size, locale", [("laptop", "en"), ("projector", "nl-NL"), ("phone", "en")])
def test_the_bars_at_t_say_whether_they_show_the_draw_or_the_slider(open_app, client, size, locale):
    page = open_app(size, locale)
    here = words(locale)
    open_tab(page, "tab_generate", locale)
    generate_on_page(page, client, "Oil prices ", locale, seed=3, length=20)
    title = page.locator("#bars-t label[data-testid=block-label]")
    expect(title).to_have_text(here["bars_t_drawn"].format(decoding=temperature_label(1.0, here)))
    set_number(page, "temperature", 0.2)
    expect(title).to_have_text(here["bars_t_slider"].format(decoding=temperature_label(0.2, here)))
    set_number(page, "temperature", 1)  # back at the generation's own T: what it drew from
    expect(title).to_have_text(here["bars_t_drawn"].format(decoding=temperature_label(1.0, here)))


@pytest.mark.parametrize("size, locale", [("projector", "nl-NL"), ("phone", "en")])
def test_step_through_says_the_end_in_the_pages_language_and_turns_only_long_labels(open_app, size, locale):
    page = open_app(size, locale, shared=False)
    here = words(locale)
    start_stepping(page, "Oil prices rise as OPEC meets", locale)
    proposals = page.locator("#proposals button:visible")
    end = next(p for p in chargen.load(chargen.shipped_names()[0]).start("Oil prices rise as OPEC meets").proposals(1.0, k=5)
               if p.token == "<eos>")
    expect(proposals.filter(has_text=shown(end.token))).to_have_text(f"{shown(end.token)} {percent(end.p, here)}")
    assert "[end]" not in proposals.all_inner_texts()
    assert page.eval_on_selector_all("#proposals button:visible", "bs => bs.filter(b => b.scrollWidth > b.clientWidth + 1)"
                                     ".map(b => b.innerText)") == []  # each proposal fits its button

    choose(page, "model", "words")  # one long word among short ones: only its label turns upright
    fill(page, "step-prompt", "President ")
    page.locator("#start-button").click()
    want = [shown(p.token) for p in chargen.load("words").start("President ").proposals(1.0, k=5)]
    assert any(len(t) > LONG_LABEL for t in want) and any(len(t) <= LONG_LABEL for t in want)
    labels = "#step-bars-t .bar-labels span:not(:last-child)"
    page.wait_for_function("([s, want]) => [...document.querySelectorAll(s)].map(e => e.textContent).join('|') === want",
                           arg=[labels, "|".join(want)])
    upright = page.eval_on_selector_all(labels, "es => es.map(e => getComputedStyle(e).writingMode.startsWith('vertical'))")
    assert upright == [len(t) > LONG_LABEL for t in want]
    charts = page.eval_on_selector_all(":is(#step-bars-t1, #step-bars-t)", "cs => cs.map(c => "
                                       "c.querySelector('.bar-chart').getBoundingClientRect().bottom - c.getBoundingClientRect().bottom)")
    assert max(charts) <= 0  # the upright labels inside their cards


@pytest.mark.parametrize("size, locale", [("projector", "nl-NL"), ("phone", "en")])
def test_the_bars_open_on_a_step_where_temperature_reshapes_the_named_alternatives(open_app, default_model, size, locale):
    page = open_app(size, locale, shared=False)
    for model in (default_model, "words"):
        here = words(locale, chargen.load(model).vocab.level)
        if model != default_model:  # the same seed as the page opened on
            fill(page, "seed", OPENING_SEED)
            choose(page, "model", model)
        out = chargen.load(model).generate(LESSON_PROMPTS[0], length=100, temperature=1.0, seed=OPENING_SEED, alternatives=5)
        n = telling_step(out)
        step = out.steps[n - 1]
        ids = [a.id for a in step.top] + [step.id] * (step.id not in [a.id for a in step.top])
        wait_for_bars(page, "bars-t1", expected_bars(out.distribution(n - 1), ids, here))  # that step's bars, with the rest
        expect(page.locator("#bars-t1 label[data-testid=block-label]")).to_have_text(here["bars_t1_step"].format(n=n))
        assert number_shown(page, "step") == n
        rest = drawn_by_token(page, "bars-t1")[here["rest"]][0]
        assert int(rest.rstrip("%")) <= 50  # the named alternatives hold most of the probability ...
        percents = lambda: {token: int(bar[0].rstrip("%")) for token, bar in drawn_by_token(page, "bars-t").items()}  # noqa: E731
        before = percents()
        set_number(page, "temperature", 0.5)  # ... so T reshapes them more than it moves the grey rest
        wait_for_bars(page, "bars-t", expected_bars(out.distribution(n - 1, temperature=0.5), ids, here))
        moved = {token: abs(p - before[token]) for token, p in percents().items()}
        assert sum(moved.values()) - moved[here["rest"]] > max(10, moved[here["rest"]]), (before, moved)
        set_number(page, "temperature", 1)


# What does not fit at 1024 px: [text, what it runs into] for each case below.
CROWDED = """() => {
  const inside = (range, box) => { const r = range.getBoundingClientRect(), s = getComputedStyle(box), b = box.getBoundingClientRect();
    return r.right <= b.right - parseFloat(s.paddingRight) + 1; };
  const textOf = element => { const range = document.createRange(); range.selectNodeContents(element); return range; };
  const lines = range => new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  const found = [];
  for (const th of document.querySelectorAll('#comparison th, #grid th'))
    if (!inside(textOf(th), th)) found.push([th.innerText, 'its column']);
  for (const cell of document.querySelectorAll('#grid td')) {  // a word of up to 15 letters is never split (at a hyphen it may)
    const node = cell.firstChild;
    for (const word of (node?.data || '').matchAll(/(?<![^\\s-])[^\\s-]{1,15}(?![^\\s-])/g)) {
      const range = document.createRange(); range.setStart(node, word.index); range.setEnd(node, word.index + word[0].length);
      if (lines(range) > 1) found.push([word[0], 'a line break']);
    }
  }
  const button = document.querySelector('#grid-button');
  if (lines(textOf(button)) > 1) found.push([button.innerText, 'a line break']);
  const choice = document.querySelector('#compare-with input'), caret = document.querySelector('#compare-with .icon-wrap');
  const context = document.createElement('canvas').getContext('2d');
  context.font = getComputedStyle(choice).font;
  const right = choice.getBoundingClientRect().left + parseFloat(getComputedStyle(choice).paddingLeft) + context.measureText(choice.value).width;
  if (right > caret.getBoundingClientRect().left) found.push([choice.value, 'its caret']);
  return found;
}"""


@pytest.mark.parametrize("locale", LOCALES)
def test_a_projector_shows_every_control_and_label_whole(open_app, locale):
    page = open_app("projector", locale, shared=False)
    here = words(locale)
    choose(page, "model", "lesson")  # its epoch choice comes after the temperature, which stays on the first screen
    page.locator("#generate-epoch").wait_for()
    page.evaluate("scrollTo(0, 0)")
    assert on_first_screen(page, "#temperature")

    open_samplers(page, "generate")  # each sampler whole: its largest value and its handle in its box
    for sampler in ("top-k", "top-p", "min-p"):
        block = box(page, f"#generate-sampler-{sampler}")
        for part in (".max_value", "input[type=range]", NUMBER_BOX):
            assert box(page, f"#generate-sampler-{sampler} {part}")["x"] + box(page, f"#generate-sampler-{sampler} {part}")["width"] \
                <= block["x"] + block["width"], (sampler, part)

    fill(page, "seed", OPENING_SEED)
    choose(page, "model", "words")  # words' labels stand upright inside their cards
    expect(page.locator("#generate-made-by")).to_contain_text("words")
    page.locator("#bars-t .bar-labels span.long").first.wait_for()
    for chart in ("#bars-t1", "#bars-t"):
        assert box(page, f"{chart} .bar-chart")["y"] + box(page, f"{chart} .bar-chart")["height"] <= box(page, chart)["y"] + box(page, chart)["height"]

    open_tab(page, "tab_compare", locale)
    page.locator("#grid-button").click()
    page.locator("#grid tbody tr").first.wait_for()
    page.locator("#comparison tbody tr").first.wait_for()
    assert page.evaluate(CROWDED) == []

    open_tab(page, "tab_sweep", locale)  # T's labels apart, and no legend title under the axis's
    axis = "#sweep-probabilities g[aria-label^=X-axis] .role-axis-label text"
    labels = ("ts => ts.filter(t => getComputedStyle(t).display !== 'none')"
              ".map(t => { const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.right]; })")
    laid_out = f"""() => {{ const shown = ({labels})([...document.querySelectorAll({json.dumps(axis)})]);
      return shown.length > 4 && shown.every((s, i) => s[2] > s[1] && (i === 0 || s[1] - shown[i - 1][2] >= 8)); }}"""
    with contextlib.suppress(PlaywrightTimeout):  # Vega lays the axis out after the tab shows (a loaded run read 0s)
        page.wait_for_function(laid_out, timeout=30_000)
    shown_at = page.eval_on_selector_all(axis, labels)
    assert len(shown_at) > 4 and all(b[1] - a[2] >= 8 for a, b in zip(shown_at, shown_at[1:])), shown_at
    legend = page.locator("#sweep-probabilities .role-legend text").all_inner_texts()
    assert here["token"] not in legend and len(legend) == 5
