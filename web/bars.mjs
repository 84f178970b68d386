// A step's bar charts, drawn as the Gradio page draws them (views/bars.py and bar_charts in views/common.py):
// the same markup and classes (bars.css is that page's CSS), the same scale, colours and rest-of-vocabulary bar.
import {shown} from "./common.mjs";

const escape = text => String(text).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[c]);

// As the axis writes it: whole percents (a half rounds up).
const wholePercent = p => `${Math.floor(100 * p + 0.5)}%`;

// The next 10% above the tallest bar of all series, so charts side by side share one scale.
const scaleTop = (...series) => Math.min(1, Math.ceil(Math.max(...series.flat()) * 10 + 1e-9) / 10);

// Bars of p (0 to 1) for tokens (the last one the rest of the vocabulary) on a scale from 0 to top.
export function barChart(tokens, p, kinds, top, words, settings) {
  const step = top <= 0.5 ? 0.1 : 0.2;
  const ticks = Array.from({length: Math.round(top / step) + 1}, (_, i) => i * step);
  const at = ticks.map(t => `bottom: ${(100 * t / top).toFixed(2)}%`);
  const bars = tokens.map((token, i) =>
    `<div class="bar-fill" style="height: ${(100 * Math.min(p[i], top) / top).toFixed(2)}%; ` +
    `background: ${settings.bar_colours[kinds[i]]}" title="${escape(token)}: ${wholePercent(p[i])}" ` +
    `data-token="${escape(token)}" data-p="${wholePercent(p[i])}" data-kind="${escape(words[kinds[i]])}"></div>`);
  const upright = tokens.map((t, i) => i < tokens.length - 1 && [...t].length > settings.long_label);  // (the last: the rest)
  return ['<div class="bar-chart">',
    `<div class="bar-y-title">${escape(words.probability)}</div>`,
    '<div class="bar-ticks" aria-hidden="true">', ...ticks.map((t, i) => `<span style="${at[i]}">${wholePercent(t)}</span>`), "</div>",
    '<div class="bar-plot"><div class="bar-grid">', ...at.slice(1).map(place => `<div style="${place}"></div>`), "</div>",
    ...bars, "</div>",
    '<div class="bar-labels">', ...tokens.map((t, i) => `<span${upright[i] ? ' class="long"' : ""}>${escape(t)}</span>`), "</div>",
    `<div class="bar-x-title">${escape(words.token)}</div>`, "</div>"].join("");
}

// The alternatives' bars at T = 1 and at T (greedy: all on the tallest), each with the rest of the vocabulary,
// on one scale. top: [[token, p at T = 1, p at T]], most probable first; a token truncation removed stays at
// T, pale, at its height at T = 1. Returns the two charts' HTML.
export function barCharts(top, chosen, temperature, words, settings) {
  if (temperature === null) top = top.map(([token, p1], i) => [token, p1, i === 0 ? 1 : 0]);
  const tokens = [...top.map(([token]) => shown(token)), words.rest];
  const kind = top.map(([token]) => token === chosen ? "chosen" : "other");
  const removed = top.map(([, p1, pT]) => pT === 0 && p1 > 0);
  const atT1 = top.map(([, p1]) => p1), atT = top.map(([, , pT]) => pT);
  atT1.push(Math.max(0, 1 - atT1.reduce((a, b) => a + b, 0)));
  atT.push(Math.max(0, 1 - atT.reduce((a, b) => a + b, 0)));  // what truncation kept beyond the bars
  const drawnT = atT.map((pT, i) => removed[i] ? atT1[i] : pT);
  const kindT = kind.map((k, i) => removed[i] ? "removed" : k);
  const scale = scaleTop(atT1, drawnT);
  return [barChart(tokens, atT1, [...kind, "rest_kind"], scale, words, settings),
          barChart(tokens, drawnT, [...kindT, "rest_kind"], scale, words, settings)];
}

// A step's bars under settings, from its whole distribution d ({tokens, pT1, p}) for the token ids shown.
export function distributionCharts(d, ids, chosen, temperature, words, settings) {
  return barCharts(ids.map(id => [d.tokens[id], d.pT1[id], d.p[id]]), chosen, temperature, words, settings);
}
