"""The page's CSV exports (issue 26, point 7): the English file as it was (commas, numbers in full with a point);
the Dutch one as Dutch spreadsheets open it in columns (semicolons, decimal commas, rounded as the table shows,
a byte-order mark for Excel's UTF-8)."""
import csv
import io

import pytest

from views import common, export
from views.common import GREEDY, LESSON_PROMPTS, LESSON_TEMPERATURES
from views.labels import LABELS

MODEL = common.DEFAULT_MODEL
TEMPERATURES = [GREEDY, "0.3", "1.8"]
SAMPLERS_OFF = (0, 1.0, 0.0)


def comparison_csv(language, prompt="Today ") -> str:
    path = export.comparison_file(prompt, TEMPERATURES, 60, 3, MODEL, "", SAMPLERS_OFF, False, LABELS[language])
    with open(path, encoding="utf-8", newline="") as file:
        return file.read()


def expected_rows(prompt="Today "):
    return [(out, common.row_stats(out, name))
            for name, out in common.in_order(common.side_by_side(prompt, TEMPERATURES, 60, 3, MODEL))]


STATS = ("mean_entropy_bits", "bits_per_step", "real_word_share", "repeated_ngram_rate")


def test_the_english_comparison_has_commas_and_numbers_in_full():
    text = comparison_csv("en")
    assert not text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert len(header) == 7 and len(rows) == 3
    for row, (out, stats) in zip(rows, expected_rows(), strict=True):
        assert row[1] == ("" if out.greedy else str(out.temperature)) and row[2] == "Today " + out.text
        assert [float(cell) for cell in row[3:]] == [stats[key] for key in STATS]  # full precision, a point


def test_the_dutch_comparison_opens_in_columns_with_decimal_commas_as_the_table_shows():
    text = comparison_csv("nl")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8 ("4‑grammen", accents)
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].split(";")[:3] == ["gemaakt door", "Temperatuur", "tekst"]
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(header) == 7
    for row, (out, stats) in zip(rows, expected_rows(), strict=True):
        assert row[1] == ("" if out.greedy else f"{out.temperature:g}".replace(".", ","))
        assert all(cell.count(",") == 1 and len(cell.split(",")[1]) == 2 and "." not in cell for cell in row[3:])
        assert [float(cell.replace(",", ".")) for cell in row[3:]] == [round(stats[key], 2) for key in STATS]


def test_a_text_with_the_separator_in_it_stays_one_cell():
    header, *rows = list(csv.reader(io.StringIO(comparison_csv("nl", "Oil; ").lstrip("\ufeff")), delimiter=";"))
    assert all(len(row) == len(header) and row[2].startswith("Oil; ") for row in rows)


@pytest.mark.parametrize("language, separator", [("en", ","), ("nl", ";")])
def test_the_lesson_grid_uses_the_reader_s_separator(language, separator):
    with open(export.grid_file(40, 3, MODEL, LABELS[language]), encoding="utf-8") as file:
        text = file.read()
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=separator))
    assert header[1:] == [f"T = {t:g}".replace(".", LABELS[language]["decimal"]) for t in LESSON_TEMPERATURES]
    grid = common.lesson_grid_rows(40, 3, MODEL)["grid"]
    assert rows == [[prompt, *grid[prompt].values()] for prompt in LESSON_PROMPTS]
