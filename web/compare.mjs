// Compare: one prompt at several temperatures on one seed, optionally beside a second model, each row with its
// entropy and bits per step; and the lesson's 5 x 5 grid (views/compare.py and side_by_side in views/common.py).
import {
  afterEpoch, bringIntoView, button, clearMessage, el, label, levelOf, lessonExamples, model, page, promptBox,
  refuse, samplerControls, slider, textField, truncation, typedSeed, unknownNote, words,
} from "./common.mjs";
import {address, linkButton, modelIn, numberIn, samplerInputs, samplersIn, written} from "./link.mjs";
import {format, madeBy, number, percent, temperatureLabel} from "./labels.mjs";

const temperatureOf = choice => choice === page.settings.greedy ? null : Number(choice);

// A table whose cells carry their column's name (a phone shows it beside the value, rows stacked).
function htmlTable(className, header, rows, widths) {
  return el("table", {class: `results ${className}`},
    el("colgroup", {}, ...widths.map(width => el("col", {style: `width: ${width}`}))),
    el("thead", {}, el("tr", {}, ...header.map(h => el("th", {scope: "col"}, whole(h))))),
    el("tbody", {}, ...rows.map(row => el("tr", {}, ...row.map((cell, i) => el("td", {"data-label": header[i]}, whole(cell)))))));
}

// A cell's text with a setting kept on one line: "T = 0.3" never breaks into "T =" and "0.3".
const whole = cell => String(cell).replaceAll(" = ", "\u00a0=\u00a0");

const mean = values => values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;

// Share of the character 4-grams of a text that repeat an earlier one (chargen.stats.repeated_ngram_rate).
function repeatedNgramRate(text, n = 4) {
  const grams = Array.from({length: Math.max(0, text.length - n + 1)}, (_, i) => text.slice(i, i + n));
  return grams.length ? 1 - new Set(grams).size / grams.length : 0;
}

// A row's figures: the entropy of what it drew from (greedy: 0 bits) and its bits per step at T = 1.
function rowStats(gen) {
  const bits = gen.steps.map(s => -Math.log2(Math.max(s.probT1, 1e-300)));
  return {entropy: gen.greedy ? 0 : mean(gen.steps.map(s => s.entropy)), bitsPerStep: mean(bits),
          repeats: repeatedNgramRate(gen.text)};
}

export function build(root) {
  const s = page.settings;
  const state = {rows: null, grid: null, inputs: null, pressed: 0};
  const prompt = promptBox("compare-prompt", () => compare());
  const temperatures = el("fieldset", {class: "field checks", id: "temperatures"}, label("temperatures", "legend"),
    el("div", {class: "choices"}, ...s.temperature_choices.map(choice => el("label", {class: "choice"},
      el("input", {type: "checkbox", value: choice, checked: s.temperatures_ticked.includes(choice)}),
      choice === s.greedy ? label("greedy") : el("span", {class: "number-label", "data-number": choice}, choice)))));
  const epoch = afterEpoch("compare-epoch", () => compare());
  const length = slider("compare-length", "length", {min: 1, max: s.max_length, step: 1, value: 100, info: "length_info"});
  const seed = textField("compare-seed", "seed", {value: String(s.compare_seed), maxlength: 10});
  const other = el("select", {id: "compare-with-input"},
    el("option", {value: "", "data-l": "no_second_model"}), ...s.models.map(m => el("option", {value: m.name}, m.name)));
  const samplers = samplerControls("compare", () => {}, true);
  const table = el("div", {id: "comparison", "aria-live": "polite"});
  const grid = el("div", {id: "grid", hidden: true});

  root.append(
    el("div", {class: "controls-wide"},
      el("div", {class: "column"}, prompt.element, temperatures, lessonExamples(prompt)),
      el("div", {class: "column"}, epoch.element, length.element,
        el("div", {class: "row"}, seed.element, el("div", {class: "field", id: "compare-with"},
          label("compare_with", "label", {for: "compare-with-input"}), label("compare_with_info", "span", {class: "info"}), other)),
        samplers.element,
        el("div", {class: "row"}, button("compare", "compare-button", {primary: true, onclick: () => compare()}),
                                  button("lesson_grid", "grid-button", {onclick: () => lessonGrid()})))),
    el("div", {class: "intro-row"}, label("compare_intro", "p", {class: "view-intro"}), linkButton("compare-link", link)),
    table, grid);

  const ticked = () => [...temperatures.querySelectorAll("input:checked")].map(input => input.value);

  // Rows of (model, generation): each temperature for the view's model, and with a second model its row at the
  // same temperature and seed below; with samplers on (and "also without"), each temperature's rows without
  // them first (greedy once: it ignores them). Greedy first, then by T.
  async function compare() {
    const pressed = ++state.pressed;
    clearMessage();
    const name = epoch.value, second = other.value;
    const names = second && second !== name ? [name, second] : [name];
    const cut = truncation(samplers.values);
    const anyOn = Object.values(cut).some(value => value !== null);
    const runs = samplers.plain.checked && anyOn ? [{}, cut] : [cut];
    const limits = {...s.limits, maxTokens: Math.floor(s.limits.maxTokens / (names.length * runs.length))};
    const inputs = {prompt: prompt.value, choices: ticked(), length: length.value, seed: typedSeed(seed.value), name, second, cut, plain: samplers.plain.checked};
    let results;
    try {
      const models = await Promise.all(names.map(model));
      const decoded = [];
      let seedValue = inputs.seed;
      for (const settings of runs) {
        for (const [k, m] of models.entries()) {
          const gens = m.compare(inputs.prompt, inputs.choices.map(temperatureOf), {length: inputs.length, seed: seedValue,
            topK: null, topP: null, minP: null, ...settings, alternatives: limits.alternatives[0], limits});
          seedValue = gens[0].seed;  // a seed drawn (blank field) is drawn once, for every run
          decoded.push([settings, names[k], m, gens]);
        }
      }
      const count = decoded[0][3].length;
      results = [];
      for (let i = 0; i < count; i++) {
        for (const [settings, rowModel, m, gens] of decoded) {
          if (settings !== runs[0] && gens[i].greedy) continue;
          results.push({name: rowModel, level: m.level, gen: gens[i], cut: gens[i].greedy ? {} : settings});
        }
      }
      for (const [k, m] of models.entries()) unknownNote(decoded[k][3][0].unknown, m.level);
    } catch (error) {
      refuse(error);
      return;
    }
    if (pressed !== state.pressed) return;
    results.sort((a, b) => (a.gen.temperature ?? 0) - (b.gen.temperature ?? 0));
    Object.assign(state, {rows: results, inputs});
    draw();
    bringIntoView(table);
  }

  function draw() {
    const w = words();
    if (state.rows) {
      const header = [w.made_by_label, w.text, w.mean_entropy, w.bits_per_step, w.repeats];
      table.replaceChildren(htmlTable("comparison-table", header, state.rows.map(({name, level, gen, cut}) => {
        const figures = rowStats(gen);
        return [madeBy(name, level, gen.greedy ? null : gen.temperature, gen.seed, w, cut), state.inputs.prompt + gen.text,
                number(figures.entropy, w, 2), number(figures.bitsPerStep, w, 2), percent(figures.repeats, w, 0)];
      }), ["17%", "47%", "12%", "12%", "12%"]));  // (a Dutch header, "herhaalde 4‑grammen", needs 12%)
    }
    if (state.grid) {
      const {name, seed, outs} = state.grid;
      const header = [w.prompt, ...s.lesson_temperatures.map(t => temperatureLabel(t, w))];
      grid.replaceChildren(
        el("p", {class: "made-by"}, format(w.made_by_grid, {model: name, kind: w[`units_${levelOf(name)}`], seed})),
        htmlTable("grid-table", header, s.lesson_prompts.map((p, i) => [p, ...outs[i].map(out => out.text)]),
                  ["15%", ...s.lesson_temperatures.map(() => "17%")]));
    }
    for (const span of temperatures.querySelectorAll(".number-label")) span.textContent = span.dataset.number.replace(".", w.decimal);
  }

  // The lesson's 5 prompts x 5 temperatures on the view's seed and length.
  async function lessonGrid() {
    clearMessage();
    const name = epoch.value, seedValue = typedSeed(seed.value);
    try {
      const m = await model(name);
      let drawn = seedValue;
      const outs = s.lesson_prompts.map(p => {
        const row = m.compare(p, s.lesson_temperatures, {length: length.value, seed: drawn,
                                                         alternatives: s.limits.alternatives[0], limits: s.limits});
        drawn = row[0].seed;  // one seed for the whole grid
        return row;
      });
      state.grid = {name, seed: drawn, outs};
    } catch (error) {
      refuse(error);
      return;
    }
    grid.hidden = false;
    draw();
    bringIntoView(grid);
  }

  function link() {
    const i = state.inputs;
    if (!i) return null;
    const plain = Object.values(i.cut).some(value => value !== null) ? Number(i.plain) : null;
    return address("compare", i.name, {prompt: i.prompt, T: i.choices.map(c => written(temperatureOf(c))).join(","),
      length: i.length, seed: i.seed, with: i.second, ...samplerInputs(i.cut), plain});
  }

  // A link's inputs, then compare as if the button were pressed.
  function open(query) {
    const name = modelIn(query);
    if (name) epoch.value = name;
    if (query.has("prompt")) prompt.value = query.get("prompt");
    const value = numberIn(query, "length", true);
    if (value !== undefined) length.value = value;
    const seedValue = numberIn(query, "seed", true);
    if (seedValue !== undefined) seed.value = String(seedValue);
    const offered = Object.fromEntries(s.temperature_choices.map(choice => [written(temperatureOf(choice)), choice]));
    const linked = (query.get("T") ?? "").split(",").filter(t => t in offered).map(t => offered[t]);
    if (linked.length) for (const input of temperatures.querySelectorAll("input")) input.checked = linked.includes(input.value);
    const second = query.get("with");
    if (second !== null && (second === "" || s.models.some(m => m.name === second))) other.value = second;
    samplers.values = samplersIn(query);
    if (query.has("plain")) samplers.plain.checked = query.get("plain") !== "0";
    return compare();
  }

  page.relabelled.push(draw);
  return {redo: compare, open, epoch, shown: () => state.rows || compare()};
}
