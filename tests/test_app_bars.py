"""The step charts' HTML, as the server writes it: the scale, the ticks, each bar's height, number and kind."""
import re

import pytest

from views.bars import BAR_COLOURS, bar_chart, scale_top, whole_percent
from views.labels import LABELS

EN = LABELS["en"]


def drawn(html):
    """[(token, percent, kind, height %)] of each bar, left to right."""
    return [(token, p, kind, float(height)) for height, token, p, kind in re.findall(
        r'class="bar-fill" style="height: ([\d.]+)%[^"]*"[^>]*data-token="([^"]*)" data-p="([^"]*)" data-kind="([^"]*)"',
        html)]


def test_a_percent_is_whole_and_a_half_rounds_up():
    assert [whole_percent(p) for p in (0, 0.004, 0.005, 0.125, 0.999, 1)] == ["0%", "0%", "1%", "13%", "100%", "100%"]


def test_the_scale_ends_at_the_next_ten_percent_above_the_tallest_bar_of_every_chart():
    assert scale_top([0.12, 0.31], [0.05]) == pytest.approx(0.4)
    assert scale_top([0.3]) == pytest.approx(0.4)  # a bar at a round number still has room above it
    assert scale_top([0.97], [0.2]) == 1.0


def test_bars_stand_on_one_scale_with_their_numbers_kinds_and_ticks():
    html = bar_chart(["s", "&", "rest"], [0.3, 0.05, 0.65], ["chosen", "removed", "rest_kind"], 0.7, EN)
    assert drawn(html) == [("s", "30%", EN["chosen"], pytest.approx(100 * 0.3 / 0.7, abs=0.01)),
                           ("&amp;", "5%", EN["removed"], pytest.approx(100 * 0.05 / 0.7, abs=0.01)),
                           ("rest", "65%", EN["rest_kind"], pytest.approx(100 * 0.65 / 0.7, abs=0.01))]
    assert re.findall(r'<span style="bottom: [\d.]+%">(\d+%)</span>', html) == ["0%", "20%", "40%", "60%"]
    assert [c for c in BAR_COLOURS.values() if c in html] == [BAR_COLOURS[k] for k in ("chosen", "rest_kind", "removed")]
    assert EN["probability"] in html and EN["token"] in html
    small = bar_chart(["a", "rest"], [0.2, 0.1], ["other", "rest_kind"], 0.3, EN)
    assert re.findall(r'>(\d+%)</span>', small) == ["0%", "10%", "20%", "30%"]  # every 10% on a small scale


def test_a_word_label_stands_upright_alone_and_tokens_are_escaped():
    assert "class=long" not in bar_chart(["a", "␣", "rest"], [0.5, 0.2, 0.3], ["chosen", "other", "rest_kind"], 0.6, EN)
    words = bar_chart(["president", ",", "<b>", "rest"], [0.5, 0.1, 0.1, 0.3], ["chosen", "other", "other", "rest_kind"], 0.6, EN)
    assert re.findall(r"<span( class=long)?>([^<]*)</span>", words.split('class="bar-labels"')[1]) == [
        (" class=long", "president"), ("", ","), (" class=long", "&lt;b&gt;"), ("", "rest")]  # only words turn
    assert "<b>" not in words
