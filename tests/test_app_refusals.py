"""Every input is checked once, in the core, against the page's own limits (views.common.LIMITS); the page
says the core's refusal in the reader's language by its key and fields."""
import re
import string
from pathlib import Path

import pytest

import chargen
from views import common, compare, generate, labels, step, sweep
from views.labels import LABELS

CORE = Path(chargen.__file__).parent
MODEL = common.DEFAULT_MODEL


def placeholders(text) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def core_error_words() -> tuple[set, set]:
    """The keys of the core's refusals and the quantities they name, read from its source."""
    source = "\n".join(path.read_text() for path in CORE.glob("*.py"))
    keys = set(re.findall(r'key="(\w+)"', source))
    names = set(re.findall(r'(?:check_whole|out_of_range|_number)\("(\w+)"|key="\w+", name="(\w+)"', source))
    return keys, {name for pair in names for name in pair if name}


def test_every_core_refusal_has_english_and_dutch_words_with_the_same_fields():
    keys, names = core_error_words()
    assert {"range", "whole", "empty", "long", "unknown", "work", "rows", "top_p"} <= keys
    assert {"temperature", "length", "seed", "alternatives", "prompt"} <= names
    for key in keys:
        english, dutch = LABELS["en"][f"refuse_{key}"], LABELS["nl"][f"refuse_{key}"]
        assert placeholders(english) == placeholders(dutch), key
    for name in names:
        assert LABELS["en"][f"name_{name}"] and LABELS["nl"][f"name_{name}"], name


def test_the_views_check_no_input_the_core_checks():
    for view in (common, compare, generate, step, sweep):
        assert not {"check_range", "check_prompt", "parse_temperature", "compare_temperatures"} & set(vars(view)), view
    assert "refuse_bad_temperature" not in LABELS["en"]  # the core's own refusals say it now


# (what the page or the API calls, what the core refuses, its key, the Dutch toast)
PAGE_LIMITS = [
    (lambda: common.decode("Today ", 0.8, 501, common.SAMPLED, 0, 5, MODEL), "range",
     "de lengte moet een getal van 1 tot 500 zijn, niet 501"),
    (lambda: common.decode("Today ", 0.8, 0, common.SAMPLED, 0, 5, MODEL), "range",
     "de lengte moet een getal van 1 tot 500 zijn, niet 0"),
    (lambda: common.decode("Today ", 0.8, 20, common.SAMPLED, 0, 11, MODEL), "range",
     "het aantal alternatieven moet een getal van 1 tot 10 zijn, niet 11"),
    (lambda: common.decode("Today ", 3.5, 20, common.SAMPLED, 0, 5, MODEL), "range",
     "de temperatuur moet een getal van 0,1 tot 3 zijn, niet 3,5"),
    (lambda: common.decode("Today ", 0.8, 20, common.SAMPLED, 2**32, 5, MODEL), "range",
     "de seed moet een getal van 0 tot 4.294.967.295 zijn, niet 4294967296"),
    (lambda: common.decode("Today ", 0.8, 20.5, common.SAMPLED, 0, 5, MODEL), "whole",
     "de lengte moet een geheel getal van 1 tot 500 zijn, niet 20,5"),
    (lambda: common.decode("  ", 0.8, 20, common.SAMPLED, 0, 5, MODEL), "empty",
     "de begintekst is leeg: typ het begin van een kop, bv. 'Today '"),
    (lambda: common.decode("x" * 2_001, 0.8, 20, common.SAMPLED, 0, 5, MODEL), "long",
     "de begintekst telt 2.001 tekens; de grens is 2.000"),
    (lambda: common.decode("éè", 0.8, 20, common.SAMPLED, 0, 5, MODEL), "unknown",
     "het model kent geen van de tekens van de begintekst: probeer gewone Engelse letters"),
    (lambda: common.side_by_side("Today ", [1.0] * 13, 20, 0, MODEL), "rows",
     "13 temperaturen; de grens is 12 rijen per vergelijking"),
    (lambda: common.side_by_side("Today ", [1.0] * 12, 500, 0, MODEL, "words"), "work",
     "12 rijen van 500 tokens is meer dan één vergelijking mag vragen (3.000 tokens per model): kies minder "
     "temperaturen of een kortere lengte"),
    (lambda: common.generator(MODEL).start("Today ", limits=common.LIMITS).proposals(1.0, k=11), "range",
     "het aantal alternatieven moet een getal van 1 tot 10 zijn, niet 11"),
    (lambda: common.generator(MODEL).score("x" * 2_001), "text_long", "de tekst telt 2.001 tekens; de grens is 2.000"),
    (lambda: common.generator(MODEL).score("éè"), "text_unknown",
     "niets te scoren: het model kent geen van de tekens van de tekst"),
    (lambda: common.generator(MODEL).score(["Oil"]), "text", "de tekst moet tekst zijn, niet list"),
]


@pytest.mark.parametrize("call, key, dutch", PAGE_LIMITS)
def test_each_page_limit_is_refused_by_the_core_and_said_in_dutch(call, key, dutch):
    with pytest.raises(chargen.ChargenError) as refused:
        call()
    assert not isinstance(refused.value, common.Refusal)  # the core's refusal: the page did not check it
    assert refused.value.key == key
    assert common.say(refused.value, LABELS["nl"]) == dutch
    english = common.say(refused.value, LABELS["en"])
    assert "\n" not in english and english != dutch  # the API's and the log's one line


def test_an_error_without_a_key_is_said_in_its_own_words():
    error = chargen.ChargenError("weights/x/card.json: not a valid card file")
    assert common.say(error, LABELS["nl"]) == str(error)


def test_a_page_only_refusal_is_english_for_the_api_and_dutch_on_the_page():
    refusal = common.Refusal("model", value="../secret", models="default")
    assert str(refusal) == "unknown model '../secret'; choose from default"
    assert common.say(refusal, labels.LABELS["nl"]) == "onbekend model '../secret'; kies uit default"
