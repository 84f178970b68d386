"""A step's bar chart, drawn by the server as plain HTML: what a message says is what the page shows.

Gradio 6.31's BarPlot redraws through Vega in the browser, and a new scale and new data arriving together
could leave it showing the data before (most often on a busy machine, as in a class). Here each update is
the whole chart, which Gradio's HTML component patches in place: a bar changes its height (smoothly, unless
the reader asked for less motion), so a dragged temperature is seen to move the bars.
"""
import math
from html import escape

import gradio as gr

from .labels import i18n

# The chosen bar and the rest stand out; what truncation removed is pale; draws are in a colour of their own.
BAR_COLOURS = {"chosen": "#d55e00", "other": "#0072b2", "rest_kind": "#6b7280", "removed": "#d4d4d8",
               "drawn_kind": "#009e73"}
# characters: a longer token label (a word: "to" is already wider than a bar) is set upright along its bar; a
# character's stays level beside it
LONG_LABEL = 1

CSS = """
.bar-chart { display: grid; grid-template-columns: auto auto 1fr; grid-template-rows: 118px auto auto;
  column-gap: 4px; padding: 1.5rem 10px 2px 4px; font-size: 16px; color: var(--body-text-color); }
.block.bars > label[data-testid="block-label"] > span:has(svg) { display: none; }  /* Gradio's code icon */
.block.bars { min-width: min(220px, 100%) !important; }  /* (Gradio's HTML block drops min_width): a phone stacks them */
.bar-y-title { grid-row: 1; grid-column: 1; writing-mode: vertical-rl; transform: rotate(180deg); text-align: center; }
.bar-ticks { grid-row: 1; grid-column: 2; position: relative; min-width: 2.6em; }
.bar-ticks span { position: absolute; right: 0; transform: translateY(50%); line-height: 1; }
.bar-plot { grid-row: 1; grid-column: 3; position: relative; display: flex; align-items: flex-end; gap: 4px;
  padding: 0 3px; border-bottom: 1px solid var(--body-text-color-subdued); }
.bar-grid { position: absolute; inset: 0; }
.bar-grid div { position: absolute; left: 0; right: 0; border-top: 1px solid var(--border-color-primary); }
.bar-plot .bar-fill { position: relative; flex: 1 1 0; min-width: 0; transition: height 0.12s ease-out; }
.bar-labels { grid-row: 2; grid-column: 3; display: flex; align-items: flex-start; gap: 4px; padding: 4px 3px 0; }
.bar-labels span { flex: 1 1 0; min-width: 0; text-align: center; font-family: var(--font-mono); white-space: pre;
  overflow: hidden; text-overflow: ellipsis; }
.bar-labels span:last-child { font-family: var(--font); overflow: visible; }  /* the rest of the vocabulary: a word, not a token */
.bar-labels span.long { writing-mode: vertical-rl; transform: rotate(180deg); max-height: 7em; line-height: 1.6; }
.bar-x-title { grid-row: 3; grid-column: 3; text-align: center; padding-top: 2px; }
@media (prefers-reduced-motion: reduce) { .bar-plot .bar-fill { transition: none; } }
"""


def bar_block(label_key: str, elem_id: str, **options) -> gr.HTML:
    """The box a chart is drawn in, titled in the page's language."""
    return gr.HTML(label=i18n(label_key), show_label=True, container=True, elem_id=elem_id,
                   elem_classes="bars", js_on_load=None, **options)


def whole_percent(p: float) -> str:
    """As the axis writes it: whole percents (a half rounds up)."""
    return f"{math.floor(100 * p + 0.5)}%"


def scale_top(*series) -> float:
    """The next 10% above the tallest bar of all ``series``, so charts side by side share one scale."""
    return min(1.0, math.ceil(max(max(p) for p in series) * 10 + 1e-9) / 10)


def bar_chart(tokens: list[str], p: list[float], kinds: list[str], top: float, words: dict) -> str:
    """Bars of ``p`` (0 to 1) for ``tokens`` (the last one the rest of the vocabulary) on a scale from 0 to
    ``top``, each coloured by its kind (a key of BAR_COLOURS); the axis ticks every 10% (every 20% above 50%)."""
    step = 0.1 if top <= 0.5 else 0.2
    ticks = [i * step for i in range(round(top / step) + 1)]
    at = [f"bottom: {100 * t / top:.2f}%" for t in ticks]  # a tick's place on the axis
    bars = [f'<div class="bar-fill" style="height: {100 * min(q, top) / top:.2f}%; background: {BAR_COLOURS[kind]}" '
            f'title="{escape(token)}: {whole_percent(q)}" data-token="{escape(token)}" data-p="{whole_percent(q)}" '
            f'data-kind="{escape(words[kind])}"></div>' for token, q, kind in zip(tokens, p, kinds)]
    long = [len(token) > LONG_LABEL for token in tokens[:-1]] + [False]  # (the last is the rest, a word of ours)
    return "".join([
        '<div class="bar-chart">',
        f'<div class="bar-y-title">{escape(words["probability"])}</div>',
        '<div class="bar-ticks" aria-hidden="true">',
        *(f'<span style="{place}">{whole_percent(t)}</span>' for t, place in zip(ticks, at)), '</div>',
        '<div class="bar-plot"><div class="bar-grid">', *(f'<div style="{place}"></div>' for place in at[1:]), '</div>',
        *bars, '</div>',  # (the grid first and whole: each bar stays the same element from one update to the next)
        '<div class="bar-labels">', *(f'<span{" class=long" * upright}>{escape(t)}</span>' for t, upright in zip(tokens, long)),
        '</div>',
        f'<div class="bar-x-title">{escape(words["token"])}</div>',
        '</div>'])
