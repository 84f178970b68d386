// The JavaScript decoder against the Python core, on what make_fixtures.py wrote: the same text for the
// same seed (every difference explained as a near-tie), the same probabilities to 1e-5, the same
// comparisons, steppers, distributions, draws and refusals.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { readNumber } from "../../web/chargen.mjs";
import { randomStream } from "../../web/noise.mjs";
import * as sampling from "../../web/sampling.mjs";
import { fixture, model, NEAR_TIE, SKIP, TOLERANCE } from "./fixtures.mjs";

function close(actual, expected, what) {
  assert.ok(Math.abs(actual - expected) <= TOLERANCE, `${what}: ${actual} in JavaScript, ${expected} in Python`);
}

/** One step against Python's record: the token, its probabilities, rank, entropies and alternatives. */
function sameStep(js, py, what) {
  assert.equal(js.id, py.id, `${what}: token`);
  assert.equal(js.text, py.text, `${what}: text`);
  assert.equal(js.end, py.end, `${what}: end`);
  close(js.prob, py.prob, `${what}: p`);
  close(js.probT1, py.probT1, `${what}: p at T = 1`);
  close(js.entropy, py.entropy, `${what}: entropy`);
  close(js.entropyT1, py.entropyT1, `${what}: entropy at T = 1`);
  assert.equal(js.rank, py.rank, `${what}: rank`);
  assert.equal(js.top.length, py.top.length, `${what}: alternatives`);
  py.top.forEach(([id, pT1, p, removed], k) => {
    const alternative = js.top.find((a) => a.id === id) ?? js.top[k];
    close(alternative.pT1, pT1, `${what}: alternative ${k} at T = 1`);
    close(alternative.p, p, `${what}: alternative ${k}`);
    assert.equal(alternative.removed, removed, `${what}: alternative ${k} removed`);
  });
}

/** The gap between the two best noisy scores at step ``i`` of Python's path, and the ids they belong to:
 * where the two languages drew differently, this must be a near-tie. */
function decisionAt(m, prompt, options, pythonIds, i, temperature) {
  const stopAtEnd = options.stopAtEnd ?? true, bias = m.outBias(stopAtEnd);
  const { ids } = m.promptIds(prompt, { promptNeeded: false, maxPromptChars: 2000 });
  let { logits, state } = m.network.read(ids, bias);
  for (const id of pythonIds.slice(0, i)) ({ logits, state } = m.network.step(id, state, bias));
  let values = Float64Array.from(logits);
  if (temperature !== null) {
    const noise = randomStream(readNumber(options.seed), ids, m.ziggurat);
    let row;
    for (let n = 0; n <= i; n++) row = noise.gumbelRow(m.vocab.size);
    const truncation = { topK: options.topK ?? null, topP: options.topP ?? null, minP: options.minP ?? null };
    const scores = sampling.truncate(sampling.withTemperature(logits, temperature, true), truncation, true);
    values = scores.map((s, j) => Math.fround(s + row[j]));
  }
  const [best, second] = sampling.mostProbableOrder(values).slice(0, 2);
  return { gap: values[best] - values[second], ids: [best, second] };
}

/** Compares a JavaScript generation with Python's; returns "same", or "near-tie" when a difference is explained. */
function compareGeneration(m, prompt, options, js, py, what) {
  const n = Math.min(js.steps.length, py.steps.length);
  let i = 0;
  while (i < n && js.steps[i].id === py.steps[i].id) i++;
  for (let k = 0; k < i; k++) sameStep(js.steps[k], py.steps[k], `${what}, step ${k}`);
  if (js.text === py.text && js.steps.length === py.steps.length) {
    assert.equal(String(js.seed), py.seed, `${what}: seed`);
    assert.equal(js.ended, py.ended, `${what}: ended`);
    assert.equal(js.label, py.label, `${what}: label`);
    return "same";
  }
  const pythonIds = py.steps.map((s) => s.id);
  const decision = decisionAt(m, prompt, options, pythonIds, i, js.greedy ? null : js.temperature);
  assert.ok(decision.gap < NEAR_TIE && decision.ids.includes(py.steps[i].id) && decision.ids.includes(js.steps[i].id),
    `${what}: the texts part at step ${i} (${JSON.stringify(py.text)} in Python, ${JSON.stringify(js.text)} here) ` +
    `without a near-tie: the two best noisy scores are ${decision.gap} apart`);
  return "near-tie";
}

describe("generations", { skip: SKIP }, () => {
  test("600+ cases over every model: the same text for the same seed, the same probabilities at every step", async () => {
    const cases = fixture("cases");
    const outcome = { same: 0, "near-tie": 0 }, perModel = {};
    for (const [n, c] of cases.entries()) {
      const m = await model(c.model);
      const js = m.generate(c.prompt, c.options);
      const result = compareGeneration(m, c.prompt, c.options, js, c, `case ${n} (${c.model}, ${JSON.stringify(c.prompt)}, ` +
        `${JSON.stringify(c.options)})`);
      outcome[result]++;
      perModel[c.model] = (perModel[c.model] ?? 0) + 1;
      assert.deepEqual(js.unknown, c.unknown, `case ${n}: unknown prompt tokens`);
      if (c.distribution.step !== undefined && result === "same") {
        const own = js.distribution(c.distribution.step);
        const other = js.distribution(c.distribution.step, c.distribution.other.settings);
        own.pT1.forEach((p, j) => close(p, c.distribution.own.pT1[j], `case ${n}: distribution at T = 1, id ${j}`));
        own.p.forEach((p, j) => close(p, c.distribution.own.p[j], `case ${n}: distribution drawn from, id ${j}`));
        other.p.forEach((p, j) => close(p, c.distribution.other.p[j], `case ${n}: distribution at T = 0.6, top-p 0.95, id ${j}`));
      }
    }
    assert.ok(cases.length >= 600, `${cases.length} cases`);
    for (const [name, count] of Object.entries(perModel)) assert.ok(count >= 50, `${name}: ${count} prompts`);
    assert.ok(outcome.same >= 0.99 * cases.length, `identical text in ${outcome.same} of ${cases.length}`);
    console.log(`# ${outcome.same} of ${cases.length} identical, ${outcome["near-tie"]} parted at a near-tie`);
  });

  test("without WebAssembly SIMD (products in plain JavaScript) the same texts and probabilities", async () => {
    const cases = fixture("cases").filter((c) => !c.model.startsWith("words")).slice(0, 120);
    for (const [n, c] of cases.entries()) {
      const m = await model(c.model, { wasm: false });
      assert.equal(m.network.kernel.name, "JavaScript");
      compareGeneration(m, c.prompt, c.options, m.generate(c.prompt, c.options), c, `case ${n} in JavaScript (${c.model})`);
    }
    assert.equal((await model("default")).network.kernel.name, "WebAssembly SIMD");
  });

  test("compare: rows on common noise, each as Python's", async () => {
    for (const [n, c] of fixture("compare").entries()) {
      const m = await model(c.model);
      const rows = m.compare(c.prompt, c.temperatures, c.options);
      assert.equal(rows.length, c.rows.length);
      rows.forEach((row, r) => {
        const options = { ...c.options, ...(c.temperatures[r] === null ? { greedy: true } : { temperature: c.temperatures[r] }) };
        compareGeneration(m, c.prompt, options, row, c.rows[r], `comparison ${n}, row ${r}`);
      });
    }
  });

  test("the stepper: proposals, sample (generate's noise), undo, greedy, choose", async () => {
    for (const c of fixture("steppers")) {
      const m = await model(c.model);
      const stepper = m.start(c.prompt);
      for (const action of c.actions) {
        const what = `${c.model} stepper, ${action.do}`;
        if (action.do === "proposals") {
          const proposals = stepper.proposals(action.settings);
          assert.deepEqual(proposals.map((a) => a.id), action.result.map(([id]) => id), what);
          proposals.forEach((a, k) => close(a.p, action.result[k][2], what));
        } else if (action.do === "sample") sameStep(stepper.sample(action.settings), action.result, what);
        else if (action.do === "undo") {
          stepper.undo();
          assert.equal(stepper.text, action.text, what);
        } else if (action.do === "greedy") sameStep(stepper.greedy(), action.result, what);
        else sameStep(stepper.choose(action.id), action.result, what);
      }
      assert.equal(stepper.text, c.text);
    }
  });

  test("a step drawn 1,000 times: the same counts as NumPy's choice", async () => {
    for (const c of fixture("draws")) {
      const m = await model(c.model);
      const draws = m.generate("The ", { temperature: 0.7, seed: 1, length: 3 }).distribution(2).sample(c.n, c.seed);
      assert.deepEqual(Array.from(draws.counts), c.counts, `${c.model}: counts`);
      assert.ok(Math.abs(draws.tv - c.tv) < TOLERANCE, `${c.model}: total variation ${draws.tv} vs ${c.tv}`);
    }
  });
});

describe("refusals", { skip: SKIP }, () => {
  test("the default limits are the Python API's", async () => {
    const { LIMITS, MAX_DRAWS } = await import("../../web/chargen.mjs");
    const { maxDraws, maxSeed, ...python } = fixture("limits");
    assert.deepEqual({ ...LIMITS, maxSeed: String(LIMITS.maxSeed) }, { ...python, maxSeed });
    assert.equal(MAX_DRAWS, maxDraws);
  });


  test("bad settings are refused with the core's message and key", async () => {
    const m = await model("default");
    const { Limits } = await import("../../web/chargen.mjs");
    for (const c of fixture("refusals")) {
      const options = c.limits ? { ...c.options, limits: new Limits(c.limits) } : c.options;
      assert.throws(() => m[c.call](...c.args, options), (error) => {
        assert.equal(error.name, "ChargenError");
        assert.equal(error.message, c.message, `${c.call}(${JSON.stringify(c.args).slice(0, 60)}, ${JSON.stringify(c.options)})`);
        assert.equal(error.key, c.key);
        return true;
      });
    }
  });
});
