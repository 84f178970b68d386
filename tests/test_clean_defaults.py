"""Issue 26, point 6: no text the page shows before anyone types (the opening generation, Compare's comparison
and lesson grid, the headlines to score: what README's pictures show) holds a word a class should not see,
from a short list (tests/offensive_words.txt), for every shipped model."""
import re
from pathlib import Path

import pytest

import app
import chargen
from views import common, compare, generate, score
from views.samplers import truncation

LIST = Path(__file__).with_name("offensive_words.txt")
ENTRIES = [line.strip() for line in LIST.read_text().splitlines() if line.strip() and not line.startswith("#")]


def offensive(text) -> list[str]:
    """The words of ``text`` the list names: whole words, or (an entry ending in *) words starting with it."""
    return [word for word in re.findall(r"[a-z]+", text.lower())
            for entry in ENTRIES if (word.startswith(entry[:-1]) if entry.endswith("*") else word == entry)]


def test_the_list_catches_crude_words_and_leaves_ordinary_ones():
    assert offensive("On Sunday says forecast to make penish for Davis Cup") == ["penish"]  # seed 0's grid
    assert offensive("Ashton Kutcher's class: Sussex assassin, Cocktail Dickens") == []
    assert offensive("Wat een KUT weer") == ["kut"]


def shown_before_anyone_types(model) -> dict[str, str]:
    """What each view shows on opening with ``model`` chosen, from its own fields' first values."""
    opening, compared = app.linked["generate"], app.linked["compare"]
    first = {name: field.value for name, field in opening.items()}
    assert common.typed_seed(first["seed"]) is None  # blank: the page opens on OPENING_SEED
    out = common.decode(first["prompt"], first["temperature"], first["length"], first["decoding"],
                        generate.OPENING_SEED, first["alternatives"], model, True,
                        truncation(first["top_k"], first["top_p"], first["min_p"]))
    first = {name: field.value for name, field in compared.items()}
    table, _ = compare.comparison_table(first["prompt"], tuple(first["temperatures"]), first["length"], first["seed"],
                                        model, first["other"], "en", (first["top_k"], first["top_p"], first["min_p"]),
                                        first["plain_too"])
    grid = common.lesson_grid_rows(first["length"], first["seed"], model)["grid"]
    return {"opening generation": out.prompt + out.text, "comparison": table,
            **{f"lesson grid, {prompt!r}": " | ".join(row.values()) for prompt, row in grid.items()},
            "headlines to score": " | ".join(score.EXAMPLES)}


@pytest.mark.parametrize("model", chargen.shipped_names())
def test_nothing_shown_before_anyone_types_is_offensive(model):
    found = {where: words for where, text in shown_before_anyone_types(model).items() if (words := offensive(text))}
    assert not found, found
