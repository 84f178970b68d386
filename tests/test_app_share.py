"""Links, exports and training progress in a real browser (issue 18, points 6 and 7): a link reopens the same
view and text, the downloads hold what the API answers, and the lesson model's snapshots decode as the core's.
Helpers and fixtures are test_app_browser's; CHARGEN_SKIP_BROWSER=1 skips these too."""
import csv
import io
import json
import re

import pytest
from playwright.sync_api import expect
from test_app_browser import (  # noqa: F401 (fixtures, and the skip marker)
    browser, choose, client, fill, generate_on_page, open_app, open_samplers, open_tab, pages, pieces_of, pytestmark,
    set_number, table_rows, wait_for_pieces, words,
)

import chargen
from chargen.bundle import read_card
from views.common import LESSON_PROMPTS, LESSON_TEMPERATURES
from views.labels import made_by, number, temperature_label

SIZES = [("laptop", "en"), ("phone", "nl-NL")]


def link_of(page, view):
    """Press "link to this" and read the link the page shows; the address bar shows it too."""
    box = page.locator(f"#{view}-link textarea")
    before = box.input_value() if box.count() else ""  # the link an earlier test asked for
    page.locator(f"#{view}-link-button").click()
    page.wait_for_function("([id, before]) => { const v = document.querySelector(`#${id} textarea`)?.value || '';"
                           " return v.includes('?view=') && v !== before; }", arg=[f"{view}-link", before])
    url = box.input_value()
    page.wait_for_function("url => location.href === url", arg=url)
    return url


def opened(pages, size, locale, url):
    """A new page of that size and language on ``url`` (as a student opens a teacher's link)."""
    page = pages.open(size, locale, shared=False, wait=False)
    page.goto(url)
    return page


def choose_epoch(page, view, label):
    page.locator(f"#{view}-epoch label", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).click()


def wait_for_comparison(page, rows):
    page.wait_for_function("n => document.querySelectorAll('#comparison tbody tr').length === n", arg=rows)


def texts_shown(page):
    """The comparison's text column as written (innerText would fold a generated double space)."""
    return page.eval_on_selector_all("#comparison tbody tr td:nth-child(2)", "tds => tds.map(td => td.textContent)")


def downloaded(page, button):
    with page.expect_download() as download:
        page.locator(f"#{button}").click()
    return download.value.suggested_filename, open(download.value.path(), encoding="utf-8").read()


def snapshot(epoch):
    """The core's lesson snapshot after ``epoch``."""
    return chargen.load(dict(chargen.progress("lesson"))[epoch])


# -- 6: a link and an export -----------------------------------------------------------------------------

@pytest.mark.parametrize("size, locale", SIZES)
def test_a_link_reopens_the_generation_with_its_seed(open_app, pages, client, size, locale):
    page = open_app(size, locale)
    open_tab(page, "tab_generate", locale)
    seed, expected = generate_on_page(page, client, "Oil prices ", locale, length=60)  # a fresh seed
    url = link_of(page, "generate")
    assert f"seed={seed}" in url and "prompt=Oil+prices+" in url and "length=60" in url

    student = opened(pages, size, locale, url)
    wait_for_pieces(student, "generated", pieces_of("Oil prices ", expected))
    assert student.locator("#generate-made-by").inner_text() == made_by(
        "default", "char", 1.0, seed, words(locale))
    assert student.locator("#generate-prompt textarea").input_value() == "Oil prices "
    assert student.locator("#seed textarea, #seed input").first.input_value() == str(seed)
    expect(student.get_by_role("tab", name=words(locale)["tab_generate"], exact=True).first).to_have_attribute(
        "aria-selected", "true")


@pytest.mark.parametrize("size, locale", SIZES)
def test_a_comparison_link_opens_compare_with_its_rows(open_app, pages, client, size, locale):
    page = open_app(size, locale)
    open_tab(page, "tab_compare", locale)
    fill(page, "compare-prompt", "Moscow, ")
    set_number(page, "compare-seed", 9)
    url = link_of(page, "compare")
    expected = client.predict("Moscow, ", ["Greedy", *LESSON_TEMPERATURES], 100, 9, api_name="/compare")

    student = opened(pages, size, locale, url)
    student.wait_for_function("() => document.querySelector('#comparison tbody tr td:nth-child(2)')"
                              "?.innerText.startsWith('Moscow, ')")
    expect(student.get_by_role("tab", name=words(locale)["tab_compare"], exact=True).first).to_have_attribute(
        "aria-selected", "true")
    assert texts_shown(student) == ["Moscow, " + row["text"] for row in expected["rows"]]


@pytest.mark.flaky(reruns=2)  # timed out once in a full run (load on the shared page's server), passes alone
@pytest.mark.parametrize("size, locale", SIZES)
def test_a_comparison_with_samplers_links_and_exports_its_rows(open_app, pages, client, size, locale):
    page = open_app(size, locale)
    open_tab(page, "tab_compare", locale)
    fill(page, "compare-prompt", "Oil ")
    set_number(page, "compare-seed", 5)
    open_samplers(page, "compare")
    set_number(page, "compare-sampler-top-p", 0.9)
    try:
        comparison_with_top_p(page, pages, client, size, locale)
    finally:
        set_number(page, "compare-sampler-top-p", 1)  # off again, for the tests that share the page


def comparison_with_top_p(page, pages, client, size, locale):
    page.locator("#compare-button").click()
    ticked = ["Greedy", *LESSON_TEMPERATURES]
    plain = client.predict(prompt="Oil ", temperatures=ticked, length=100, seed=5, api_name="/compare")["rows"]
    cut = client.predict(prompt="Oil ", temperatures=ticked[1:], length=100, seed=5, top_p=0.9,
                         api_name="/compare")["rows"]
    want = ["Oil " + plain[0]["text"]] + [f"Oil {row['text']}" for pair in zip(plain[1:], cut) for row in pair]
    wait_for_comparison(page, len(want))
    assert texts_shown(page) == want  # each temperature without top-p, then with it

    url = link_of(page, "compare")
    assert "top_p=0.9" in url and "plain=1" in url and "top_k" not in url  # samplers that are off stay out
    student = opened(pages, size, locale, url)
    wait_for_comparison(student, len(want))
    assert texts_shown(student) == want

    _, text = downloaded(page, "compare-csv")
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter="," if locale == "en" else ";")  # Dutch: semicolons
    assert [row[2] for row in list(rows)[1:]] == want


@pytest.mark.parametrize("size, locale", SIZES)
def test_downloads_hold_what_the_api_answers(open_app, client, size, locale):
    page = open_app(size, locale)
    here = words(locale)
    open_tab(page, "tab_generate", locale)
    _, expected = generate_on_page(page, client, "President ", locale, seed=12, length=40, top_k=3)
    name, text = downloaded(page, "generate-json")
    assert name.endswith(".json") and json.loads(text) == expected  # the text and every step, as /generate

    open_tab(page, "tab_compare", locale)
    fill(page, "compare-prompt", "Today ")
    set_number(page, "compare-seed", 2)
    # As the reader's spreadsheet opens it: English with commas and full precision; Dutch with a byte-order mark,
    # semicolons and decimal commas, rounded as the table shows (tests/test_exports.py has the details)
    english = here["decimal"] == "."
    _, text = downloaded(page, "compare-csv")
    assert text.startswith("\ufeff") != english
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter="," if english else ";"))
    api = client.predict("Today ", ["Greedy", *LESSON_TEMPERATURES], 100, 2, api_name="/compare")["rows"]
    assert header == [here[c] for c in ("made_by_label", "temperature", "text", "mean_entropy", "bits_per_step",
                                        "real_words", "repeats")]
    read = [[float(cell.replace(here["decimal"], ".")) if cell else None for cell in (row[1], *row[3:])] for row in rows]
    assert [numbers[0] for numbers in read] == [None, *LESSON_TEMPERATURES]  # greedy has none
    for row, numbers, want in zip(rows, read, api, strict=True):
        assert row[2] == "Today " + want["text"]
        wanted = [want[key] for key in ("mean_entropy_bits", "bits_per_step", "real_word_share", "repeated_ngram_rate")]
        assert numbers[1:] == (wanted if english else [None if n is None else round(n, 2) for n in wanted])

    _, text = downloaded(page, "grid-csv")
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter="," if english else ";"))
    grid = client.predict(100, 2, api_name="/lesson_grid")["grid"]
    assert header == [here["prompt"], *(temperature_label(t, here) for t in LESSON_TEMPERATURES)]
    assert rows == [[prompt, *grid[prompt].values()] for prompt in LESSON_PROMPTS]


# -- 7: training progress --------------------------------------------------------------------------------

@pytest.mark.parametrize("size, locale", SIZES)
def test_after_epoch_decodes_the_lesson_models_snapshots(pages, size, locale):
    page = pages.open(size, locale, shared=False)  # it changes the model
    here = words(locale)
    choose(page, "model", "lesson")
    fill(page, "generate-prompt", "Today ")
    fill(page, "seed", 4)
    texts = {}
    for epoch in (1, 57):
        choose_epoch(page, "generate", str(epoch))
        want = snapshot(epoch).generate("Today ", temperature=1.0, seed=4, length=100, alternatives=5)
        wait_for_pieces(page, "generated", ["Today ", *(s.text or "⏎" for s in want.steps)],
                        timeout=60_000)  # (a snapshot's first use loads it: slow on a busy machine)
        assert page.locator("#generate-made-by").inner_text() == made_by(f"lesson@{epoch}", "char", 1.0, 4, here)
        bits = number(snapshot(epoch).card.test.bits_per_char, here, 3)
        expect(page.locator("#generate-epoch")).to_contain_text(bits)  # its test bits per character, beside it
        texts[epoch] = want.text
    assert texts[1] != texts[57]

    open_tab(page, "tab_compare", locale)
    fill(page, "compare-prompt", "Today ")
    set_number(page, "compare-seed", 4)
    choose_epoch(page, "compare", "1")
    rows = snapshot(1).compare("Today ", [None, *LESSON_TEMPERATURES], seed=4, length=100)
    page.wait_for_function("want => [...document.querySelectorAll('#comparison tbody tr td:nth-child(2)')]"
                           ".map(td => td.textContent).join('|') === want.join('|')",
                           arg=["Today " + out.text for out in rows])
    assert all(row[0].startswith(made_by("lesson@1", "char", None, None, here).split(" (")[0])
               for row in table_rows(page, "comparison"))


@pytest.mark.parametrize("size, locale", SIZES)
def test_about_plots_the_learning_curve_from_the_snapshots_cards(pages, size, locale):
    page = pages.open(size, locale, shared=False)
    here = words(locale)
    choose(page, "model", "lesson")
    open_tab(page, "tab_about", locale)
    points = page.locator("#learning-curve .mark-symbol path")
    expect(points).to_have_count(len(chargen.progress("lesson")))
    drawn = [dict(part.split(": ") for part in label.split("; "))
             for label in points.evaluate_all("ps => ps.map(p => p.getAttribute('aria-label'))")]
    cards = [read_card(path) for _, path in chargen.progress("lesson")]
    assert [(int(p["epoch"]), float(p[here["test_bits"]])) for p in drawn] == [
        (card.epochs, card.test.bits_per_char) for card in cards]
    axes = page.locator("#learning-curve .role-axis-title").evaluate_all("ts => ts.map(t => t.textContent)")
    assert sorted(axes) == sorted([here["epoch"], here["test_bits"]])
    choose(page, "model", "default")  # a model without snapshots has no curve
    expect(page.locator("#learning-curve")).to_be_hidden()
