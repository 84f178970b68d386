// Step through: the model proposes its next tokens; pick one, sample one, take the greedy one, or undo; the
// proposals' bars at T = 1 and at T (views/step.py).
import {barCharts} from "./bars.mjs";
import {
  bringIntoView, button, clearMessage, colouredText, el, label, legend, lessonExamples, model, orderLine, page,
  promptBox, refuse, relabel, samplerControls, shown, slider, textField, truncation, typedSeed, unknownNote, words,
} from "./common.mjs";
import {format, madeBy, percent} from "./labels.mjs";

export function build(root) {
  const s = page.settings;
  const state = {stepper: null, name: null, level: "char", promptText: ""};
  const prompt = promptBox("step-prompt", () => start());
  const temperature = slider("step-temperature", "temperature", {min: s.temperature.min, max: s.temperature.max,
    step: s.temperature.step, value: s.temperature.start, onChange: () => act(null)});
  const seed = textField("step-seed", "seed", {value: "0", maxlength: 10});
  const samplers = samplerControls("step", () => act(null));
  const alternatives = slider("step-top-k", "top_k", {min: 1, max: s.max_alternatives, step: 1, value: 5, onChange: () => act(null)});
  const status = el("p", {class: "made-by", id: "step-status", "aria-live": "polite"});
  const text = el("div", {class: "generated-text", id: "stepped-text"});
  const proposals = el("div", {class: "proposals", id: "proposals"});
  const barsT1 = el("div", {class: "chart", id: "step-bars-t1-chart"}), barsT = el("div", {class: "chart", id: "step-bars-t-chart"});
  const order = el("p", {class: "order", id: "step-order"});

  root.append(
    el("div", {class: "controls"}, prompt.element, button("start", "start-button", {primary: true, onclick: () => start()}),
       temperature.element, seed.element, samplers.element, alternatives.element, lessonExamples(prompt),
       label("step_intro", "p", {class: "view-intro", id: "step-intro"})),
    el("div", {class: "result"}, status,
       el("div", {class: "block", id: "stepped"}, label("text_so_far", "div", {class: "block-label"}), legend(), text),
       label("proposals", "p", {class: "field-title"}), proposals,
       el("div", {class: "row"}, button("sample", "sample-button", {onclick: () => act("sample")}),
                                 button("take_greedy", "greedy-button", {onclick: () => act("greedy")}),
                                 button("undo", "undo-button", {onclick: () => act("undo")})),
       el("div", {class: "bars-row"},
          el("div", {class: "block bars", id: "step-bars-t1"}, label("bars_t1", "div", {class: "block-label"}), barsT1),
          el("div", {class: "block bars", id: "step-bars-t"}, label("bars_t_step", "div", {class: "block-label"}), barsT)),
       order));

  const settings = () => ({temperature: temperature.value, ...truncation(samplers.values)});

  async function start() {
    clearMessage();
    const name = page.model;
    try {
      const m = await model(name);
      const stepper = m.start(prompt.value, {alternatives: s.max_alternatives, limits: s.limits});
      stepper.proposals(settings());  // every setting checked before anything changes
      Object.assign(state, {stepper, name, level: m.level, promptText: m.promptText(prompt.value)});
      unknownNote(stepper.unknown, m.level);
    } catch (error) {
      refuse(error);
      return;
    }
    draw();
    bringIntoView(status);
  }

  // Choose proposal i (a number), sample, take the greedy one, undo, or just redraw (null: T or a sampler moved).
  function act(action) {
    const stepper = state.stepper;
    if (!stepper) return;
    clearMessage();
    try {
      const now = settings();
      const offered = stepper.ended ? [] : stepper.proposals(now);
      if (action === "sample") stepper.sample({...now, seed: typedSeed(seed.value) ?? 0});
      else if (action === "greedy") stepper.greedy();
      else if (action === "undo") stepper.undo();
      else if (typeof action === "number") stepper.choose(offered[action].id, now);
    } catch (error) {
      refuse(error);
      return;
    }
    draw(action !== null);
  }

  // The text so far, one button per proposal with its probability at T, their bars, and where we are.
  function draw(textChanged = true) {
    const stepper = state.stepper;
    if (!stepper) return;
    const w = words(state.level);
    relabel(root, state.level);
    const now = settings();
    let offered = [];
    try {
      offered = stepper.ended ? [] : stepper.proposals(now).slice(0, alternatives.value);
    } catch (error) {
      refuse(error);
      return;
    }
    proposals.replaceChildren(...offered.map((p, i) => el("button", {type: "button", class: "proposal secondary",
      onclick: () => act(i)}, `${shown(p.token)}  ${percent(p.p, w)}`)));
    const t = typeof now.temperature === "number" ? now.temperature : null;
    [barsT1.innerHTML, barsT.innerHTML] = offered.length
      ? barCharts(offered.map(p => [p.token, p.pT1, p.p]), null, t, w, s) : ["", ""];
    const cut = truncation(samplers.values);
    order.textContent = orderLine(t, cut, w);
    const made = madeBy(state.name, state.level, t, typedSeed(seed.value), w, cut);
    status.textContent = format(w.step_status, {n: stepper.steps.length, made_by: made}) + (stepper.ended ? w.step_ended : "");
    if (textChanged) colouredText(text, state.promptText, stepper.steps);
  }

  page.relabelled.push(() => draw(true));
  return {redo: start, shown: () => state.stepper || start()};
}
