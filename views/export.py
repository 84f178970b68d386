"""Exports for worksheets: a generation with every step as JSON (what /generate answers), a comparison and
the lesson grid as CSV (the columns the page's tables show). The CSV is written as the reader's spreadsheet opens
it in columns: in English with commas and numbers as plain decimals with a point; in a language whose decimal
sign is a comma (Dutch), with semicolons, numbers rounded as the table shows them with that comma, and a
byte-order mark (Excel then reads the file as UTF-8).

Files are written on request into a folder of the system's temporary directory, one per content (the same
export twice is one file), and handed to Gradio, which serves them."""
import csv
import hashlib
import io
import json
import tempfile
from functools import partial
from pathlib import Path

import gradio as gr

import chargen
from chargen import LESSON_PROMPTS, LESSON_TEMPERATURES

from .common import (
    PAGE_EVENT, generation_record, generator, in_order, lesson_grid_rows, refuse, row_stats, side_by_side,
)
from .labels import i18n, labels, made_by_copied, number, setting, temperature_label
from .samplers import truncation

EXPORTS = Path(tempfile.gettempdir()) / "chargen-exports"


def saved(name, text) -> str:
    """``text`` as the file ``name``, in a folder of its own named by its content."""
    folder = EXPORTS / hashlib.sha256(text.encode()).hexdigest()[:20]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name.replace("/", "_")
    if not path.exists():
        path.write_text(text, encoding="utf-8")
    return str(path)


def as_csv(header, rows, words) -> str:
    buffer = io.StringIO()
    local = words["decimal"] != "."  # Excel and LibreOffice there split on ";", as "," is their decimal sign
    csv.writer(buffer, delimiter=";" if local else ",", lineterminator="\n").writerows([header, *rows])
    return "\ufeff" * local + buffer.getvalue()


# The comparison's numbers as its table shows them: entropy and bits to 2 decimals, a share of 0,13 as 13%.
TABLE_NUMBER = partial(number, digits=2)
NUMBER_COLUMNS = ("mean_entropy_bits", "bits_per_step", "real_word_share", "repeated_ngram_rate")  # row_stats'


def written(value, words, shown=TABLE_NUMBER) -> str | float:
    """A number in a CSV: in English as Python writes it (full precision); with a decimal comma, as the page
    shows it (``shown``: rounded, with that comma). None (not available, greedy's T): empty."""
    if value is None:
        return ""
    return value if words["decimal"] == "." else shown(value, words)


def generation_file(out) -> str:
    return saved(f"chargen-{out.model}-seed{out.seed}.json", json.dumps(generation_record(out.model, out), indent=1))


def comparison_file(prompt, temperatures, length, seed, model, other, samplers, plain_too, words) -> str:
    """One row per generation in the table's order: what made it, its temperature (empty for greedy), the
    text, entropy and surprise in bits per step, the real-word share and the repeated 4-grams as fractions,
    numbers as the reader's spreadsheet reads them (``written``)."""
    rows = in_order(side_by_side(prompt, temperatures, length, seed, model, other, truncation(*samplers), plain_too))
    header = [words[c] for c in ("made_by_label", "temperature", "text", "mean_entropy", "bits_per_step", "real_words",
                                 "repeats")]
    table = []
    for name, out in rows:
        s = row_stats(out, name)
        table.append([made_by_copied(generator(name), out, words), written(out.temperature, words, setting),
                      out.prompt + out.text, *(written(s[key], words) for key in NUMBER_COLUMNS)])
    return saved(f"chargen-comparison-{model}-seed{seed}.csv", as_csv(header, table, words))


def grid_file(length, seed, model, words) -> str:
    """The lesson grid: a row per prompt, a column per temperature."""
    grid = lesson_grid_rows(length, seed, model)
    header = [words["prompt"], *(temperature_label(t, words) for t in LESSON_TEMPERATURES)]
    rows = [[prompt, *grid["grid"][prompt].values()] for prompt in LESSON_PROMPTS]
    return saved(f"chargen-lesson-grid-{model}-seed{grid['seed']}.csv", as_csv(header, rows, words))


def export_generation(out):
    return gr.skip() if out is None else generation_file(out)


def export_comparison(prompt, temperatures, length, seed, model, other, top_k, top_p, min_p, plain_too,
                      request: gr.Request):
    try:
        return comparison_file(prompt, temperatures, length, seed, model, other, (top_k, top_p, min_p), plain_too,
                               labels(request))
    except chargen.ChargenError as error:
        return refuse(error, labels(request))


def export_grid(length, seed, model, request: gr.Request):
    try:
        return grid_file(length, seed, model, labels(request))
    except chargen.ChargenError as error:
        return refuse(error, labels(request))


def download_button(handler, inputs, label, elem_id):
    """A small button that writes an export and downloads it at once: the file goes to a hidden download
    button, which the page then presses (Gradio's own downloads what it holds when pressed)."""
    button = gr.Button(i18n(label), size="sm", scale=0, min_width=140, elem_id=elem_id)
    file = gr.DownloadButton(visible="hidden", elem_id=f"{elem_id}-file")
    button.click(handler, inputs, file, **PAGE_EVENT).success(
        None, js=f"() => document.querySelector('#{elem_id}-file')?.click()", **PAGE_EVENT)
    return button

