"""The About view reads the typed card: each figure under its own unit (a word model's
validation bits are per word, not per character), in English and Dutch."""
import pytest

from views.about import card_page


class Request:
    def __init__(self, language):
        self.headers = {"accept-language": language}


LABELS = {"en": ("Bits per word, validation", "Bits per character, validation", "Bits per character, test"),
          "nl": ("Bits per woord, validatie", "Bits per teken, validatie", "Bits per teken, test")}


@pytest.mark.parametrize("language", LABELS)
def test_the_about_view_names_each_figure_by_its_unit(language):
    per_word, per_char, test = LABELS[language]
    decimal = {"en": ".", "nl": ","}[language]  # numbers follow the language
    text, card = card_page("words", Request(language))
    assert f"**{per_word}**: 8{decimal}401" in text and f"**{test}**: 2{decimal}467" in text and per_char not in text
    assert card["validation"] == {"level": "word", "bits_per_token": 8.4012}  # the whole card, as JSON
    text, _ = card_page("lesson", Request(language))
    assert f"**{per_char}**: 2{decimal}527" in text and f"**{test}**: 2{decimal}548" in text
