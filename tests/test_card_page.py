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


def test_the_about_view_holds_the_teacher_s_guide_in_each_language():
    """docs/teaching.md and docs/lesgeven.md, as written, under About's "Teacher's guide"; README links both."""
    from pathlib import Path

    import gradio as gr

    import app
    from views.labels import DOCS, LABELS

    assert LABELS["en"]["guide"] == (DOCS / "teaching.md").read_text() and "## Questions for the class" in LABELS["en"]["guide"]
    assert LABELS["nl"]["guide"] == (DOCS / "lesgeven.md").read_text() and "## Vragen voor de klas" in LABELS["nl"]["guide"]
    about = next(block for block in app.demo.blocks.values() if isinstance(block, gr.Tab) and block.id == "about")
    guide = next(block for block in app.demo.blocks.values() if getattr(block, "elem_id", None) == "guide")
    assert isinstance(guide, gr.Accordion) and guide.parent is about
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    top = readme.split("## Set up")[0]
    assert "(docs/teaching.md)" in top and "(docs/lesgeven.md)" in top
