// What every view shares: the page's state (settings, language, models), the controls, and how tokens and
// probabilities are shown. The counterpart of views/common.py, views/samplers.py and views/progress.py.
import {ChargenError, loadModel} from "./chargen.mjs";
import {format, forLevel, markup, number, samplerSteps, say, setting, snapshotOf, typedNumber} from "./labels.mjs";

// settings: page.json; language: "en" or "nl"; model: the page's model (its views may take one of its epochs).
export const page = {settings: null, language: "en", model: null, relabelled: []};

export const words = (level = "char") => forLevel(page.settings.labels[page.language], level);
export const levelOf = name => page.settings.models.find(m => m.name === baseModel(name))?.level ?? "char";
export const baseModel = name => snapshotOf(name)?.[0] ?? name;
// [epoch, name] of a model's snapshots of its own training ("lesson@8"), earliest first.
export const snapshotNames = name => page.settings.models.find(m => m.name === name)?.snapshots ?? [];

const loading = new Map();
// A model by its name ("lesson@8" for a snapshot), loaded once.
export function model(name) {
  if (!loading.has(name)) {
    loading.set(name, loadModel(new URL(`models/${name}/`, document.baseURI).href).catch(error => {
      loading.delete(name);  // a later try may find the network back
      throw error;
    }));
  }
  return loading.get(name);
}

// -- the page's words on its elements -------------------------------------------------------------------------

// Elements with data-l="key" show that label (in the level of their view's model); data-l-placeholder too.
export function relabel(root, level = "char") {
  const w = words(level);
  for (const element of root.querySelectorAll("[data-l]")) element.innerHTML = markup(w[element.dataset.l] ?? "");
  for (const element of root.querySelectorAll("[data-l-placeholder]")) element.placeholder = w[element.dataset.lPlaceholder];
  for (const element of root.querySelectorAll("[data-l-aria]")) element.setAttribute("aria-label", w[element.dataset.lAria]);
}

// Bad input (a ChargenError, or a line of our own) or a failed download: one line in the reader's language.
export function refuse(error) {
  const w = words();
  const line = document.getElementById("message");
  const text = typeof error === "string" ? error
    : error instanceof ChargenError && error.key !== "fetch" ? say(error, w)
    : format(w.load_failed, {error: error?.message ?? error});
  line.textContent = `${w.warning}: ${text}`;
  line.hidden = false;
  if (error instanceof Error && !(error instanceof ChargenError)) console.error(error);
}

export function clearMessage() {
  document.getElementById("message").hidden = true;
}

export function unknownNote(unknown, level) {
  if (!unknown?.length) return;
  const w = words(level);
  const tokens = [...new Set(unknown)].map(t => `'${t}'`).join(", ");
  refuse(format(w[level === "char" ? "unknown_chars" : "unknown_words"], {tokens}));
}

// -- building blocks ----------------------------------------------------------------------------------------

export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.filter(child => child !== null && child !== undefined));
  return element;
}

export const label = (key, tag = "span", attributes = {}) => el(tag, {"data-l": key, ...attributes});

// A slider with a box to type the number in (a decimal comma or point); .value is the number, or the text as
// typed when it is none (for the core to refuse in the reader's words). onChange runs as it is dragged.
export function slider(id, labelKey, {min, max, step, value, info = null, onChange = () => {}}) {
  const range = el("input", {type: "range", min, max, step, value, "aria-labelledby": `${id}-label`});
  const box = el("input", {type: "text", inputmode: "decimal", class: "number", id: `${id}-number`,
                           "aria-labelledby": `${id}-label`, autocomplete: "off", spellcheck: "false"});
  const element = el("div", {class: "field slider", id},
    el("div", {class: "slider-head"}, label(labelKey, "label", {id: `${id}-label`, for: `${id}-number`}), box),
    info && label(info, "span", {class: "info"}),
    el("div", {class: "slider-track"}, el("span", {class: "bound"}, ""), range, el("span", {class: "bound"}, "")));
  let typed = null;  // what was typed, until the slider moves
  const show = () => { box.value = setting(range.value, words()); };
  const bounds = () => {
    const [low, high] = element.querySelectorAll(".bound");
    low.textContent = setting(min, words());
    high.textContent = setting(max, words());
  };
  range.addEventListener("input", () => { typed = null; show(); onChange(); });
  box.addEventListener("change", () => {
    typed = box.value;
    const n = typedNumber(typed);
    if (!Number.isNaN(n) && n >= min && n <= max) range.value = n;
    onChange();
  });
  box.addEventListener("keydown", event => { if (event.key === "Enter") box.dispatchEvent(new Event("change")); });
  page.relabelled.push(() => { bounds(); if (typed === null) show(); });
  show();
  return {
    element, range, box,
    get value() {
      if (typed === null) return Number(range.value);
      const n = typedNumber(typed);
      return Number.isNaN(n) ? typed : n;
    },
    set value(v) {  // a value between the slider's steps (a link's T = 0.83) is kept as if typed
      range.value = v;
      typed = Number(range.value) === Number(v) ? null : String(v);
      if (typed === null) show(); else box.value = setting(v, words());
    },
    set max(v) { max = v; range.max = v; bounds(); },
    disable(off) { range.disabled = box.disabled = off; element.classList.toggle("off", off); },
  };
}

export function radios(id, labelKey, choices, value, onChange = () => {}) {
  const element = el("fieldset", {class: "field radios", id}, label(labelKey, "legend"));
  const row = el("div", {class: "choices"});
  for (const [key, choice] of choices) {
    row.append(el("label", {class: "choice"},
      el("input", {type: "radio", name: id, value: choice, checked: choice === value, onchange: onChange}),
      key === null ? el("span", {}, choice) : label(key)));
  }
  element.append(row);
  return {element, get value() { return element.querySelector("input:checked")?.value; },
          set value(v) { for (const input of element.querySelectorAll("input")) input.checked = input.value === v; }};
}

export function textField(id, labelKey, {value = "", placeholder = null, info = null, maxlength = null} = {}) {
  const input = el("input", {type: "text", id: `${id}-input`, value, maxlength, autocomplete: "off", spellcheck: "false",
                             "data-l-placeholder": placeholder});
  const element = el("div", {class: "field", id}, label(labelKey, "label", {for: `${id}-input`}),
                     info && label(info, "span", {class: "info"}), input);
  return {element, input, get value() { return input.value; }, set value(v) { input.value = v; }};
}

export const button = (key, id, {primary = false, onclick} = {}) =>
  el("button", {type: "button", id, class: primary ? "primary" : "secondary", "data-l": key, onclick});

// A prompt field on the lesson's first prompt, Enter pressing the view's button.
export function promptBox(id, onEnter) {
  const field = textField(id, "prompt", {value: page.settings.lesson_prompts[0], placeholder: "prompt_placeholder",
                                         maxlength: page.settings.limits.maxPromptChars});
  field.input.addEventListener("keydown", event => { if (event.key === "Enter") onEnter(); });
  return field;
}

// The lesson's prompts, one click each.
export function lessonExamples(field) {
  return el("div", {class: "field examples"}, label("examples", "div", {class: "field-title"}),
    el("div", {class: "choices"}, ...page.settings.lesson_prompts.map(prompt =>
      el("button", {type: "button", class: "example", onclick: () => { field.value = prompt; }}, prompt))));
}

// -- sampling settings (views/samplers.py) ------------------------------------------------------------------

// top-k, top-p and min-p, off, under a closed "Truncation" (the result stays on a projector's first screen).
export function samplerControls(prefix, onChange, plainToo = false) {
  const off = page.settings.samplers.off;
  const controls = {
    topK: slider(`${prefix}-sampler-top-k`, "sampler_top_k", {min: 0, max: page.settings.samplers.max_top_k, step: 1, value: off.top_k, onChange}),
    topP: slider(`${prefix}-sampler-top-p`, "sampler_top_p", {min: 0.05, max: 1, step: 0.05, value: off.top_p, onChange}),
    minP: slider(`${prefix}-sampler-min-p`, "sampler_min_p", {min: 0, max: 0.5, step: 0.01, value: off.min_p, onChange}),
  };
  const plain = plainToo ? el("input", {type: "checkbox", id: `${prefix}-plain-too-input`, checked: true}) : null;
  const element = el("details", {class: "samplers", id: `${prefix}-samplers`}, label("samplers", "summary"),
    el("div", {class: "sampler-row"}, controls.topK.element, controls.topP.element, controls.minP.element),
    plain && el("label", {class: "choice", id: `${prefix}-plain-too`}, plain, label("plain_too")));
  return {element, plain, controls,
          get values() { return {topK: controls.topK.value, topP: controls.topP.value, minP: controls.minP.value}; },
          set values(v) { for (const name of ["topK", "topP", "minP"]) if (v[name] !== undefined) controls[name].value = v[name]; }};
}

// The core's topK, topP, minP: null where a slider is at its "off"; anything else as it was sent.
export function truncation({topK, topP, minP}) {
  const off = page.settings.samplers.off;
  return {topK: topK === off.top_k ? null : topK, topP: topP === off.top_p ? null : topP,
          minP: minP === off.min_p ? null : minP};
}

// The sampling pipeline with the current numbers: "p → p^(1/0.8) → top-k 20 → renormalise".
export function orderLine(temperature, cut, w) {
  if (temperature === null) return w.order_greedy;
  const steps = samplerSteps(cut, w);
  const line = format(w.order, {steps: ["p", `p^(1/${setting(temperature, w)})`, ...steps, w.renormalise].join(" → ")});
  return line + (steps.length ? w.order_removed : "");
}

// The seed field: blank for a fresh seed (null), else the whole number typed; anything else as typed, for the
// core to refuse.
export function typedSeed(text) {
  const plain = String(text ?? "").trim();
  if (!plain) return null;
  return /^\d+$/.test(plain) ? Number(plain) : plain;
}

// -- how tokens and probabilities are shown -------------------------------------------------------------------

export const shown = token => ({" ": "␣", "<eos>": "⏎"}[token] ?? token);  // the end as the text shows it

export const band = p => page.settings.bands.find(([low]) => p >= low);

// A band's colour at half opacity, as the Gradio page draws it: the strong colours come out as clear pastels.
const halfStrength = hex => `rgba(${[1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16)).join(", ")}, 0.5)`;

// The probability bands' legend, each in its colour.
export function legend() {
  return el("div", {class: "legend"}, ...page.settings.bands.map(([, name, colour]) =>
    el("span", {class: "legend-item", style: `background: ${halfStrength(colour)}`}, name)));
}

// The prompt, then one piece per step coloured by its probability at T (a click picks that step).
export function colouredText(target, promptText, steps, count = steps.length) {
  const pieces = [el("span", {class: "prompt-text"}, promptText)];
  steps.slice(0, count).forEach((s, i) => {
    const [, name, colour] = band(s.prob);
    pieces.push(el("span", {class: "piece", style: `background: ${halfStrength(colour)}`, "data-step": i + 1, "data-band": name,
                            title: `${number(100 * s.prob, words(), 1)}%`}, s.text || "⏎"));
  });
  target.replaceChildren(...pieces);
}

// A new result whose top is not on the upper half of the screen (below a projector's fold, under a phone's
// controls) is scrolled to, as the Gradio page does.
export function bringIntoView(element) {
  const top = element.getBoundingClientRect().top;
  if (top < 0 || top > innerHeight / 2) element.scrollIntoView({block: "start"});
}

// The "after epoch" choice of a view: the model's snapshots and the trained model (hidden for a model without
// any); its value is the model that decodes. Info: what the chosen one scores on the test titles.
export function afterEpoch(id, onChange) {
  const element = el("fieldset", {class: "field radios after-epoch", id}, label("after_epoch", "legend"),
                     el("div", {class: "choices"}), el("span", {class: "info"}));
  let value = null;
  const describe = async () => {
    const w = words();
    const info = element.querySelector(".info");
    const snapshot = snapshotOf(value ?? "");
    if (!snapshot) { info.textContent = w.after_epoch_info; return; }
    const [chosen, trained] = await Promise.all([model(value), model(baseModel(value))]);
    info.textContent = format(w.epoch_bits, {epoch: snapshot[1], bits: number(chosen.card.test.bits_per_char, w, 3),
                                             n: trained.card.epochs, final: number(trained.card.test.bits_per_char, w, 3)});
  };
  const draw = () => {
    const entry = page.settings.models.find(m => m.name === page.model);
    const w = words();
    const choices = [...entry.snapshots.map(([epoch, name]) => [String(epoch), name]),
                     [format(w.epoch_trained, {n: entry.epochs}), entry.name]];
    if (!choices.some(([, name]) => name === value)) value = entry.name;
    element.hidden = entry.snapshots.length === 0;
    element.querySelector(".choices").replaceChildren(...choices.map(([text, name]) => el("label", {class: "choice"},
      el("input", {type: "radio", name: id, value: name, checked: name === value,
                   onchange: () => { value = name; describe().catch(refuse); onChange(); }}), el("span", {}, text))));
    describe().catch(refuse);
  };
  page.relabelled.push(draw);
  return {element, draw, get value() { return value ?? page.model; }, set value(v) { value = v; draw(); }};
}
