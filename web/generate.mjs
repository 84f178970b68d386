// Generate: the text coloured by the probability of each chosen token, revealed as it is decoded; the bars of
// one step at T = 1 and at the slider's T, redrawn every frame while the temperature moves (views/generate.py).
import {distributionCharts} from "./bars.mjs";
import {
  afterEpoch, bringIntoView, button, clearMessage, colouredText, el, label, legend, lessonExamples, model, orderLine,
  page, promptBox, radios, refuse, relabel, samplerControls, slider, textField, truncation, typedSeed, unknownNote, words,
} from "./common.mjs";
import {address, linkButton, modelIn, numberIn, samplerInputs, samplersIn, written} from "./link.mjs";
import {format, madeBy, samplerSteps, temperatureLabel} from "./labels.mjs";

const REVEAL_MS = 600;  // the text arrives over a moment, so a class sees it written; the first piece at once

// The title of a generation's bars at T: "Drawn at T = 1.8" under its own settings, "At T = 0.2 (the slider)" once
// the page's settings moved away from them (at_t_title in views/samplers.py).
function atTTitle(temperature, cut, gen, w) {
  if (temperature === null) return w.bars_t_greedy;
  const decoding = [temperatureLabel(temperature, w), ...samplerSteps(cut, w)].join(" · ");
  const own = {temperature: gen.greedy ? null : gen.temperature, topK: gen.topK, topP: gen.topP, minP: gen.minP};
  const close = (a, b) => a === b || (a !== null && b !== null && Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)));
  const same = close(temperature, own.temperature) && ["topK", "topP", "minP"].every(k => close(cut[k] ?? null, own[k] ?? null));
  return format(w[same ? "bars_t_drawn" : "bars_t_slider"], {decoding});
}

// The step the bars open on: the first whose alternatives shown hold most of the probability at T = 1, none of
// them nearly all, so that moving T visibly reshapes them; else step 1 (telling_step in views/generate.py).
function tellingStep(gen, {telling_mass: mass, telling_top: top}) {
  const i = gen.steps.findIndex(s => s.top.reduce((sum, a) => sum + a.pT1, 0) >= mass && s.top[0].pT1 <= top);
  return i + 1 || 1;
}

export function build(root) {
  const s = page.settings;
  const state = {gen: null, name: null, level: "char", prompt: "", length: 0, alternatives: 0, cut: {}, pressed: 0};
  const epoch = afterEpoch("generate-epoch", () => generate());
  const prompt = promptBox("generate-prompt", () => generate());
  const decoding = radios("decoding", "decoding", [["greedy", s.greedy], ["sampled", s.sampled]], s.sampled, () => {
    temperature.disable(decoding.value === s.greedy);
    redrawSoon();
  });
  const temperature = slider("temperature", "temperature", {min: s.temperature.min, max: s.temperature.max,
    step: s.temperature.step, value: s.temperature.start, info: "temperature_info", onChange: () => redrawSoon()});
  const seed = textField("seed", "seed", {info: "seed_info", maxlength: 10});
  seed.input.placeholder = "⚄";
  const length = slider("length", "length", {min: 1, max: s.max_length, step: 1, value: 100, info: "length_info"});
  const samplers = samplerControls("generate", () => redrawSoon());
  const alternatives = slider("top-k", "top_k", {min: 1, max: s.max_alternatives, step: 1, value: 5});
  const step = slider("step", "step", {min: 1, max: 100, step: 1, value: 1, info: "step_info", onChange: () => redrawSoon()});

  const made = el("p", {class: "made-by", id: "generate-made-by", "aria-live": "polite"});
  const text = el("div", {class: "generated-text", id: "generated-text"});
  const barsT1 = el("div", {class: "chart", id: "bars-t1-chart"}), barsT = el("div", {class: "chart", id: "bars-t-chart"});
  const order = el("p", {class: "order", id: "generate-order"});
  const titleT1 = el("div", {class: "block-label", id: "bars-t1-title"});  // which step
  const titleT = el("div", {class: "block-label", id: "bars-t-title"});  // what the bars at T show (atTTitle)
  text.addEventListener("click", event => {  // a click on a generated piece picks its step
    const piece = event.target.closest(".piece");
    if (piece) { step.value = piece.dataset.step; redraw(); }
  });

  root.append(
    el("div", {class: "controls"}, epoch.element, prompt.element,
       button("generate", "generate-button", {primary: true, onclick: () => generate()}),
       decoding.element, temperature.element, seed.element, length.element, samplers.element, alternatives.element,
       lessonExamples(prompt)),
    el("div", {class: "result"}, made,
       el("div", {class: "block", id: "generated"}, label("generated", "div", {class: "block-label"}), legend(), text),
       el("div", {class: "bars-row"},
          el("div", {class: "block bars", id: "bars-t1"}, titleT1, barsT1),
          el("div", {class: "block bars", id: "bars-t"}, titleT, barsT)),
       order, step.element, linkButton("generate-link", link)));

  // Decode, then reveal the text piece by piece; the last frame brings the bars of step 1. A newer press wins.
  async function generate({opening = false} = {}) {
    const pressed = ++state.pressed;
    clearMessage();
    const name = epoch.value;
    const cut = truncation(samplers.values);
    let m, gen;
    if (!state.gen) made.textContent = words().loading;  // the first download takes a moment
    try {
      m = await model(name);
      const typed = typedSeed(seed.value);
      gen = m.generate(prompt.value, {temperature: temperature.value, length: length.value, greedy: decoding.value === s.greedy,
                                      seed: opening && typed === null ? s.opening_seed : typed, ...cut,
                                      alternatives: alternatives.value, limits: s.limits});
    } catch (error) {
      refuse(error);
      return;
    }
    if (pressed !== state.pressed) return;
    Object.assign(state, {gen, name, level: m.level, prompt: prompt.value, length: length.value,
                          alternatives: alternatives.value, cut: gen.greedy ? {} : cut, promptText: m.promptText(prompt.value)});
    relabel(root, m.level);
    unknownNote(gen.unknown, m.level);
    describe();
    step.max = Math.max(1, gen.steps.length);
    step.value = tellingStep(gen, s);
    if (!opening) bringIntoView(made);
    const whole = opening || matchMedia("(prefers-reduced-motion: reduce)").matches;
    const start = performance.now();
    const frame = now => {
      if (pressed !== state.pressed) return;
      const count = whole ? gen.steps.length : Math.max(1, Math.ceil(gen.steps.length * Math.min(1, (now - start) / REVEAL_MS)));
      colouredText(text, state.promptText, gen.steps, count);
      if (count < gen.steps.length) requestAnimationFrame(frame);
      else { text.dataset.complete = pressed; redraw(); }
    };
    delete text.dataset.complete;
    frame(start);
  }

  function describe() {
    const g = state.gen;
    if (g) made.textContent = madeBy(state.name, state.level, g.greedy ? null : g.temperature, g.seed, words(state.level), state.cut);
  }

  // The selected step's bars under the page's settings as they are now (a slider being dragged); the text stays.
  let queued = false;
  function redrawSoon() {
    if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; redraw(); }); }
  }

  function redraw() {
    const g = state.gen;
    if (!g || !g.steps.length) return;
    const w = words(state.level);
    const i = Math.min(Math.max(Math.round(Number(step.value)) || 1, 1), g.steps.length) - 1;
    const t = decoding.value === s.greedy ? null : temperature.value;
    const cut = truncation(samplers.values);
    try {
      // greedy: the bars at T show all on the most probable token; the distribution is read at T = 1
      const d = g.distribution(i, {temperature: t ?? 1, ...cut});
      const chosen = g.steps[i];
      const ids = chosen.top.map(a => a.id);
      if (!ids.includes(chosen.id)) ids.push(chosen.id);
      [barsT1.innerHTML, barsT.innerHTML] = distributionCharts(d, ids, chosen.token, t, w, s);
      titleT1.textContent = format(w.bars_t1_step, {n: i + 1});
      titleT.textContent = atTTitle(t, t === null ? {} : cut, g, w);
    } catch (error) {
      refuse(error);
      return;
    }
    order.textContent = orderLine(t, t === null ? {} : cut, w);
    for (const piece of text.querySelectorAll(".piece.selected")) piece.classList.remove("selected");
    text.querySelector(`.piece[data-step="${i + 1}"]`)?.classList.add("selected");
  }

  function link() {
    const g = state.gen;
    if (!g) return null;
    return address("generate", state.name, {prompt: state.prompt, T: written(g.greedy ? null : g.temperature),
      length: state.length, seed: g.seed, alternatives: state.alternatives, ...samplerInputs({topK: null, topP: null, minP: null, ...state.cut})});
  }

  // A link's inputs, then decode as if Generate were pressed.
  function open(query) {
    const name = modelIn(query);
    if (name) epoch.value = name;
    if (query.has("prompt")) prompt.value = query.get("prompt");
    if (query.has("seed")) seed.value = query.get("seed");
    for (const [field, key] of [[length, "length"], [alternatives, "alternatives"]]) {
      const value = numberIn(query, key, true);
      if (value !== undefined) field.value = value;
    }
    const t = query.get("T") ?? "";
    if (t.toLowerCase() === "greedy") decoding.value = s.greedy;
    else if (t) {
      decoding.value = s.sampled;
      const value = numberIn(query, "T");
      if (value !== undefined) temperature.value = value;
    }
    temperature.disable(decoding.value === s.greedy);
    samplers.values = samplersIn(query);
    return generate();
  }

  page.relabelled.push(() => { relabel(root, state.level); describe(); redraw(); });
  return {redo: generate, generate, open, epoch};
}
