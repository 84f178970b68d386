"""The page in a real browser: Debian's chromium driven by Playwright, at desktop and phone sizes.

What the page shows is checked against the API's answer for the same inputs. Set
CHARGEN_SCREENSHOTS=DIR to keep a screenshot of every view; CHARGEN_SKIP_BROWSER=1 skips
these tests (CI installs chromium and runs them: a missing browser fails there).
"""
import os
import re
from pathlib import Path

import pytest
from gradio_client import Client
from playwright.sync_api import expect, sync_playwright

import chargen

pytestmark = pytest.mark.skipif(os.environ.get("CHARGEN_SKIP_BROWSER") == "1", reason="CHARGEN_SKIP_BROWSER=1")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
VIEWPORTS = {"desktop": dict(width=1280, height=800), "phone": dict(width=390, height=844)}
# The page colours a token by its probability band; Gradio draws the colour at half opacity.
BAND_COLOURS = [(0.5, "rgba(59, 130, 246, 0.5)"), (0.2, "rgba(34, 197, 94, 0.5)"), (0.05, "rgba(245, 158, 11, 0.5)"),
                (0.0, "rgba(239, 68, 68, 0.5)")]
SCREENSHOTS = os.environ.get("CHARGEN_SCREENSHOTS")


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


class Pages:
    """Open pages, one per size and language, shared by the tests in turn (opening one costs seconds);
    every page error or request off the server is recorded against the test that saw it."""

    def __init__(self, browser, url):
        self.browser, self.url, self.shared, self.contexts, self.problems = browser, url, {}, [], []

    def open(self, size="desktop", locale="en-US", shared=True):
        if shared and (size, locale) in self.shared:
            return self.shared[size, locale]
        context = self.browser.new_context(viewport=VIEWPORTS[size], locale=locale, is_mobile=size == "phone",
                                           has_touch=size == "phone")
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("request", lambda request: request.url.startswith((self.url, "data:", "blob:"))
                or self.problems.append(f"request off the server: {request.url}"))
        page.goto(self.url)
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


def wait_for_rows(page, table, count=None):
    """Wait until the table ``#table`` has ``count`` data rows (any, if None)."""
    rows = f"(+document.querySelector('#{table} [aria-rowcount]')?.getAttribute('aria-rowcount') || 1) - 1"
    page.wait_for_function(f"() => {rows} {'> 0' if count is None else f'== {count}'}")


def wait_for_text(page, elem_id, text):
    """Wait until ``#elem_id`` holds ``text`` (shown or not: tables keep hidden copies, tabs hide views)."""
    page.wait_for_function("([id, text]) => document.getElementById(id)?.textContent.includes(text)", arg=[elem_id, text])


def wait_for_pieces(page, elem_id, pieces):
    """Wait until the highlighted text ``#elem_id`` shows exactly ``pieces`` (the last frame of a stream)."""
    page.wait_for_function(
        """([id, want]) => {
            const got = [...document.querySelectorAll(`#${id} .token .text`)].map(e => e.textContent);
            return got.length === want.length && got.every((piece, i) => piece === want[i]);
        }""", arg=[elem_id, pieces])


def generate_on_page(page, prompt, expected, **numbers):
    """Type ``prompt``, set the number fields (by elem_id), generate, and wait until the page shows
    ``expected`` (the API's answer to the same inputs): the last frame and every trace row."""
    page.locator("#generate-prompt").get_by_role("textbox").fill(prompt)
    for elem_id, value in numbers.items():
        set_number(page, elem_id, value)
    page.locator("#generate-button").click()
    wait_for_pieces(page, "generated", shown_pieces(prompt, expected))
    wait_for_rows(page, "trace", len(expected["steps"]))  # the trace follows the text (an event of its own)
    wait_for_text(page, "trace", f"{100 * expected['steps'][0]['prob']:.1f}%")


def set_number(page, elem_id, value):
    field = page.locator(f"#{elem_id} input[type=number]")
    field.fill(str(value))
    field.press("Enter")


def open_tab(page, name):
    """Click a tab; on a phone the later tabs sit in the overflow menu."""
    tab = page.get_by_role("tab", name=name)
    if tab.is_visible():
        tab.click()
    else:
        page.get_by_label("More tabs").click()
        page.locator(".overflow-dropdown button", has_text=name).click()


def texts(page, selector):
    return page.eval_on_selector_all(selector, "elements => elements.map(e => e.textContent)")


def screenshot(page, name):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def shown_pieces(prompt, out):
    return [prompt, *(s["text"] or "⏎" for s in out["steps"])]


@pytest.mark.parametrize("size", VIEWPORTS)
def test_generate_shows_coloured_text_probabilities_and_greedy(open_app, client, size):
    page = open_app(size)
    open_tab(page, "Generate")
    expected = client.predict("Moscow, ", 1.0, 30, "Sampled", 4, 5, api_name="/generate")
    generate_on_page(page, "Moscow, ", expected, length=30, seed=4)
    colours = page.eval_on_selector_all("#generated .token.highlighted", "tokens => tokens.map(t => t.style.backgroundColor)")
    assert colours == [next(c for low, c in BAND_COLOURS if s["prob"] >= low) for s in expected["steps"]]
    first = expected["steps"][0]
    assert f"{100 * first['prob']:.1f}%" in page.locator("#trace").inner_text()
    for bars in ("#bars-t1", "#bars-t"):  # the top-5 bars, and the chosen one if it is not among them
        assert page.locator(f"{bars} .mark-rect path").count() == 5 + (first["rank"] > 5)

    page.locator("#generated .token.highlighted").nth(2).click()  # a character picks its step
    expect(page.locator("#step input[type=number]")).to_have_value("3")
    screenshot(page, f"{size}-generate")

    greedy = client.predict("Moscow, ", 1.0, 30, "Greedy", 4, 5, api_name="/generate")
    page.locator("#decoding").get_by_text("Greedy").click()
    expect(page.locator("#temperature input[type=range]")).to_be_disabled()
    generate_on_page(page, "Moscow, ", greedy)
    assert f"{100 * greedy['steps'][0]['prob']:.1f}%" in page.locator("#trace").inner_text()
    screenshot(page, f"{size}-generate-greedy")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_compare_temperatures_and_the_lesson_grid(open_app, client, size):
    page = open_app(size)
    expected = client.predict("President ", ["Greedy", 0.3, 0.8, 1.0, 1.3, 1.8], 100, 0, api_name="/compare")
    open_tab(page, "Compare")
    page.locator("#compare-prompt").get_by_role("textbox").fill("President ")
    page.locator("#compare-button").click()
    wait_for_text(page, "comparison", "President ")
    table = page.locator("#comparison").inner_text()
    for row in expected["rows"]:
        assert row["label"] in table and ("President " + row["text"]).strip() in table

    page.locator("#grid-button").click()
    wait_for_text(page, "grid", "Little red riding hood")
    assert all(label in page.locator("#grid").inner_text() for label in ["T=0.3", "T=0.8", "T=1", "T=1.3", "T=1.8"])
    screenshot(page, f"{size}-compare")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_step_through_proposes_chooses_samples_and_undoes(open_app, size):
    page = open_app(size)
    open_tab(page, "Step through")
    proposals = page.locator("#proposals button:visible")
    proposals.first.wait_for()
    assert proposals.count() == 5
    first = proposals.first.inner_text().split()[0]
    status = page.locator("#step-status")

    proposals.first.click()
    status.get_by_text("Step 1.").wait_for()
    assert texts(page, "#stepped .token .text") == ["Today ", {"␣": " "}.get(first, first)]
    page.locator("#sample-button").click()
    status.get_by_text("Step 2.").wait_for()
    page.locator("#greedy-button").click()
    status.get_by_text("Step 3.").wait_for()
    page.locator("#undo-button").click()
    status.get_by_text("Step 2.").wait_for()
    assert len(texts(page, "#stepped .token .text")) == 3
    screenshot(page, f"{size}-step")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_sweep_and_about(open_app, size):
    page = open_app(size)
    open_tab(page, "Temperature sweep")
    page.locator("#sweep-probabilities .mark-line path").first.wait_for()
    assert page.locator("#sweep-probabilities .mark-line path").count() == 5  # one line per top-5 character
    assert page.locator("#sweep-entropy .mark-line path").count() == 1
    screenshot(page, f"{size}-sweep")
    open_tab(page, "About the model")
    page.locator("#card").get_by_text("LSTM").wait_for()
    assert "Greedy" in page.locator("#about").inner_text()
    screenshot(page, f"{size}-about")


def test_bad_input_gets_a_message_and_the_page_goes_on(open_app):
    page = open_app()
    open_tab(page, "Generate")
    page.locator("#generate-prompt").get_by_role("textbox").fill("")
    page.locator("#generate-button").click()
    page.get_by_text("the prompt is empty").first.wait_for()
    screenshot(page, "desktop-error")
    set_number(page, "length", 3)
    prompt = page.locator("#generate-prompt").get_by_role("textbox")
    prompt.fill("Today ")
    prompt.press("Enter")  # Enter generates too
    wait_for_rows(page, "trace", 3)


def test_dutch_browsers_get_dutch_labels(open_app):
    page = open_app(locale="nl-NL")
    assert page.get_by_role("tab", name="Vergelijken").is_visible()
    assert page.get_by_text("Temperatuur", exact=True).first.is_visible()
    assert page.locator("#generate-button").inner_text() == "Genereer"
    assert "kans bij T" in page.locator("#trace").inner_text()  # text the server writes follows too
    screenshot(page, "desktop-nl-generate")


def choose(page, dropdown, option):
    page.locator(f"#{dropdown} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_the_word_model_generates_compares_with_characters_and_steps(open_app, client):
    """The shipped word model in every view that decodes: generate, compare beside a
    character model, and step through word by word."""
    page = open_app(shared=False)  # it changes the model
    expected = client.predict("Oil prices ", 1.0, 6, "Sampled", 0, 3, "words", api_name="/generate")
    choose(page, "model", "words")
    open_tab(page, "About the model")
    wait_for_text(page, "card", "word level")
    open_tab(page, "Generate")
    generate_on_page(page, "Oil prices ", expected, length=6, **{"top-k": 3})
    assert re.search(r"\bword\b", page.locator("#trace").inner_text())
    screenshot(page, "desktop-word-model")

    open_tab(page, "Compare")
    char_model = chargen.shipped_names()[0]  # the default: a character model
    compared = client.predict("President ", ["Greedy", 0.3, 0.8, 1.0, 1.3, 1.8], 100, 0, "words", char_model,
                              api_name="/compare")["rows"]
    page.locator("#compare-prompt").get_by_role("textbox").fill("President ")
    choose(page, "compare-with", char_model)
    page.locator("#compare-button").click()
    wait_for_rows(page, "comparison", len(compared))
    wait_for_text(page, "comparison", ("President " + compared[1]["text"]).strip())
    table = page.locator("#comparison").inner_text()
    assert [row["model"] for row in compared[:4]] == ["words", char_model, "words", char_model]
    for row in compared:
        assert ("President " + row["text"]).strip() in table
    screenshot(page, "desktop-compare-words-and-characters")

    open_tab(page, "Step through")
    page.locator("#step-prompt").get_by_role("textbox").fill("Oil prices ")
    page.locator("#start-button").click()
    wait_for_pieces(page, "stepped", ["Oil prices "])  # started on this prompt
    status = page.locator("#step-status")
    proposals = page.locator("#proposals button:visible")
    first = proposals.first.inner_text().split()[0]
    assert first == chargen.load("words").start("Oil prices ").proposals()[0][0]  # the model's likeliest next word
    proposals.first.click()
    status.get_by_text("Step 1.").wait_for()
    assert texts(page, "#stepped .token .text")[0] == "Oil prices "
    page.locator("#sample-button").click()
    status.get_by_text("Step 2.").wait_for()
    screenshot(page, "desktop-step-words")
