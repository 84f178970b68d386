// chargen in the browser (and in Node >= 20): the Python core's decoder, for the same text from the same seed.
//
//   import { loadModel } from "./chargen.mjs";
//   const model = await loadModel("models/default/");          // a URL in a browser, a folder in Node
//   const gen = model.generate("Today ", { temperature: 0.8, seed: 0 });
//   gen.text, gen.label, gen.steps[0].top, gen.distribution(0, { temperature: 0.5 }).p
//
// Decoding is stateful (the prompt is read once, one token per step); each step is traced as
// chargen.decode does (the chosen token, its probability at T = 1 and in the distribution drawn from,
// its rank, both entropies, the most probable alternatives). The noise is random_stream's: NumPy's
// SeedSequence(seed, spawn_key = prompt ids) -> PCG64 -> Gumbel, so a seed writes Python's text.

import { Kernel } from "./kernel.mjs";
import { Network, readTensors } from "./network.mjs";
import { PCG64, randomStream, seedSequenceState } from "./noise.mjs";
import * as sampling from "./sampling.mjs";
import { Vocab } from "./vocab.mjs";

export { sampling };

// Browsers and Node >= 19 have Web Crypto as a global; Node 18 (Debian 12's) keeps it in node:crypto.
const webcrypto = globalThis.crypto ?? (await import("node:crypto")).webcrypto;

export const FORMAT = "chargen-web/1";
// The Python API's limits (chargen.Limits' defaults; tests/web checks they are the same).
export const MAX_PROMPT_CHARS = 2000;
export const MAX_LENGTH = 5000;
export const MAX_ROWS = 32;
export const MAX_ALTERNATIVES = 10000;
export const MAX_SEED = 2n ** 63n - 1n;
export const MAX_DRAWS = 100000;

/** The one error chargen throws for anything a person caused; ``key`` and ``fields`` say what, as data. */
export class ChargenError extends Error {
  constructor(message, key = null, fields = {}) {
    super(message);
    this.name = "ChargenError";
    this.key = key;
    this.fields = fields;
  }
}

// -- Python's way of writing values in messages ----------------------------------------------------

const isNumber = (value) => typeof value === "number" || typeof value === "bigint";

/** ``f"{value:,}"``: thousands separators; a float that is whole is written as a whole number (JS cannot tell 5 from 5.0). */
function grouped(value) {
  if (typeof value === "number" && !Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  const [whole, fraction] = pyFloat(value, false).split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = whole.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return sign + digits + (fraction === undefined ? "" : "." + fraction);
}

/** ``repr`` of a float (``float=true``: a whole number gets ".0"), or of a whole number. */
function pyFloat(value, float = true) {
  if (typeof value === "bigint") return value.toString();
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return float ? `${value}.0` : `${value}`;
  const abs = Math.abs(value);
  if (abs >= 1e-4 && abs < 1e16) return String(value);
  const [mantissa, exponent] = value.toExponential().split("e");
  const e = Number(exponent);
  return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/** Python's ``repr`` for the values a caller may pass. */
function pyRepr(value) {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (isNumber(value)) return pyFloat(value, false);
  if (typeof value === "string") {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\t", "\\t").replaceAll("\r", "\\r");
    return quote + (quote === "'" ? body.replaceAll("'", "\\'") : body) + quote;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  return `{${Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(", ")}}`;
}

function pyType(value) {
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "bigint") return "int";
  if (typeof value === "string") return "str";
  return Array.isArray(value) ? "list" : "dict";
}

// Numeric text as JSON writes a number (chargen.errors.NUMERIC_TEXT): a comma is no decimal sign.
const NUMERIC_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The one rule for numeric text in every numeric input (chargen.errors.read_number): text holding a number is
 * that number (whole-number text beyond 2**53 a BigInt, so a long seed stays exact); anything else comes back as it was. */
export function readNumber(value) {
  if (typeof value !== "string" || !NUMERIC_TEXT.test(value.trim())) return value;
  const text = value.trim();
  if (!/^[+-]?\d+$/.test(text)) return Number(text);
  const whole = BigInt(text);
  return whole >= BigInt(Number.MIN_SAFE_INTEGER) && whole <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(whole) : whole;
}

// -- checks, with chargen.decode's messages --------------------------------------------------------

/** A limit Python holds as a float: written "3.0", not "3". */
class PythonFloat {
  constructor(value) {
    this.value = value;
  }
}

function outOfRange(name, value, low, high) {
  const written = (x) => (x instanceof PythonFloat ? pyFloat(x.value) : grouped(x));
  const shown = isNumber(value) ? grouped(value) : pyRepr(value);
  return new ChargenError(`${name} must be between ${written(low)} and ${written(high)}, not ${shown}`, "range",
    { name, low: low.value ?? low, high: high.value ?? high, value });
}

function isWhole(value) {
  return typeof value === "bigint" || Number.isInteger(value);
}

export function checkWhole(name, value, low, high) {
  value = readNumber(value);
  // Compared as BigInt when either side is one (a seed may pass 2**53).
  const inRange = isNumber(value) && !Number.isNaN(value) &&
    (typeof value === "bigint" || typeof low === "bigint" || typeof high === "bigint"
      ? isWhole(value) ? BigInt(low) <= BigInt(value) && BigInt(value) <= BigInt(high) : value >= Number(low) && value <= Number(high)
      : low <= value && value <= high);
  if (!inRange) throw outOfRange(name, value, low, high);
  if (!isWhole(value)) {
    throw new ChargenError(`${name} must be a whole number, not ${pyRepr(value)}`, "whole", { name, low, high, value });
  }
  return value;
}

export function checkTemperature(temperature, limits = null) {
  const read = readNumber(temperature);
  const t = isNumber(read) ? Number(read) : null;
  if (limits) {
    if (t === null || !(limits[0] <= t && t <= limits[1])) {
      throw outOfRange("temperature", temperature, ...limits.map((x) => new PythonFloat(x)));
    }
  } else if (t === null) {
    throw new ChargenError(`temperature must be a number, not ${pyRepr(temperature)}`, "number",
      { name: "temperature", value: temperature });
  } else if (!(Number.isFinite(t) && t > 0)) {
    throw new ChargenError(`temperature must be a positive finite number, not ${pyRepr(temperature)} (use greedy ` +
      "decoding for T -> 0)", "positive", { value: temperature });
  }
  return t;
}

function checkProbabilityLike(name, value, ok, range) {
  if (value === null || value === undefined) return null;
  value = readNumber(value);
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ChargenError(`${name} must be a number (or None: off), not ${pyRepr(value)}`, "number", { name, value });
  }
  if (!ok(value)) throw new ChargenError(`${name} must be ${range} (or None: off), not ${pyFloat(value)}`, name, { value });
  return value;
}

/** ``{topK, topP, minP}`` validated once: topK a whole number >= 1, 0 < topP <= 1, 0 <= minP < 1; null turns each off. */
export function checkTruncation({ topK = null, topP = null, minP = null } = {}) {
  topK = readNumber(topK);
  if (topK !== null && topK !== undefined && (typeof topK !== "number" || !Number.isInteger(topK) || topK < 1)) {
    throw new ChargenError(`top_k must be a whole number of 1 or more (or None: off), not ${pyRepr(topK)}`, "top_k",
      { value: topK });
  }
  return {
    topK: topK ?? null,
    topP: checkProbabilityLike("top_p", topP, (p) => p > 0 && p <= 1, "more than 0 and at most 1"),
    minP: checkProbabilityLike("min_p", minP, (p) => p >= 0 && p < 1, "at least 0 and less than 1"),
  };
}

/** A seed from 0 to ``maxSeed``; null draws a fresh one (32 bits, as Python's). */
export function checkSeed(seed, maxSeed = MAX_SEED) {
  if (seed === null || seed === undefined) return webcrypto.getRandomValues(new Uint32Array(1))[0];
  return checkWhole("seed", seed, 0, maxSeed);
}

function temperatureRows(temperatures, maxRows) {
  if (temperatures === null || typeof temperatures === "number") temperatures = [temperatures];
  if (!Array.isArray(temperatures)) {
    throw new ChargenError(`temperatures must be a list of numbers (None = greedy), not ${pyType(temperatures)} ` +
      pyRepr(temperatures), "temperatures", { value: temperatures });
  }
  if (!temperatures.length) throw new ChargenError("give at least one temperature", "no_temperature");
  if (temperatures.length > maxRows) {
    throw new ChargenError(`${grouped(temperatures.length)} temperatures; the limit is ${grouped(maxRows)} rows per comparison`,
      "rows", { n: temperatures.length, limit: maxRows });
  }
  return temperatures;
}

/** What decoding accepts (chargen.Limits): the defaults are the Python API's; a page passes its own, tighter ones. */
export class Limits {
  constructor({ length = [0, MAX_LENGTH], alternatives = [0, MAX_ALTERNATIVES], temperature = null, maxSeed = MAX_SEED,
    maxPromptChars = MAX_PROMPT_CHARS, promptNeeded = false, maxRows = MAX_ROWS, maxTokens = null } = {}) {
    Object.assign(this, { length, alternatives, temperature, maxSeed, maxPromptChars, promptNeeded, maxRows, maxTokens });
    for (const [name, [low, high], [ownLow, ownHigh]] of [["length", length, [0, MAX_LENGTH]],
      ["alternatives", alternatives, [0, MAX_ALTERNATIVES]]]) {
      if (!(ownLow <= low && low <= high && high <= ownHigh)) {
        throw new ChargenError(`limits: ${name} must lie within ${grouped(ownLow)} to ${grouped(ownHigh)}, not ${low} to ${high}`);
      }
    }
    if (temperature !== null && !(temperature[0] > 0 && temperature[0] <= temperature[1] && temperature[1] < Infinity)) {
      throw new ChargenError(`limits: temperature must be positive and finite, low to high, not ${pyRepr(temperature)}`);
    }
    Object.freeze(this);
  }
}

export const LIMITS = new Limits();

// -- results ---------------------------------------------------------------------------------------

function formatG(x) {
  return String(Number(x.toPrecision(6)));
}

/** A step's whole next-token distribution (id order); ``sample`` draws from it as Python's Distribution.sample. */
export class Distribution {
  constructor(tokens, pT1, p, settings) {
    Object.assign(this, { tokens, pT1, p, ...settings });
  }

  /** ``n`` draws (1 to 100,000) from ``p`` with NumPy's default_rng(seed).choice: {n, seed, counts, p, tv}. */
  sample(n, seed = 0) {
    n = checkWhole("n", n, 1, MAX_DRAWS);
    seed = checkSeed(seed);
    const bits = new PCG64(seedSequenceState(seed));
    const cdf = new Float64Array(this.p.length);
    let total = 0;
    this.p.forEach((p, i) => (cdf[i] = total += p));
    for (let i = 0; i < cdf.length; i++) cdf[i] /= total;
    const counts = new Float64Array(this.p.length);
    for (let k = 0; k < n; k++) {
      const u = bits.nextDouble();
      let low = 0, high = cdf.length; // the first index whose cdf is above u (searchsorted, side="right")
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (cdf[mid] <= u) low = mid + 1;
        else high = mid;
      }
      counts[low]++;
    }
    return { n, seed, counts, p: this.p, tv: sampling.totalVariation(counts, this.p) };
  }
}

/** One decoding with what made it (chargen.Generation). ``text`` is the continuation only. */
export class Generation {
  constructor(fields) {
    Object.assign(this, fields);
  }

  get decoding() {
    return this.greedy ? "greedy" : `T=${formatG(this.temperature)}`;
  }

  /** One line saying how it was made: "default · T = 0.8 · top-p 0.9 · seed 1234". */
  get label() {
    if (this.greedy) return `${this.model} · greedy`;
    const samplers = [["top-k", this.topK], ["top-p", this.topP], ["min-p", this.minP]].filter(([, v]) => v !== null);
    return [this.model, `T = ${formatG(this.temperature)}`, ...samplers.map(([n, v]) => `${n} ${formatG(v)}`),
      `seed ${this.seed}`].join(" · ");
  }

  /** log2 probability (at T = 1) of the generated tokens. */
  get logLikelihood() {
    return this.steps.reduce((sum, s) => sum + Math.log2(Math.max(s.probT1, 1e-300)), 0);
  }

  /** Step ``i``'s whole distribution from the state kept for it (nothing decoded again); each setting
   * defaults to the generation's own (``temperature: null``: greedy). For live redraws. */
  distribution(i, settings = {}) {
    if (!this.steps.length) throw new ChargenError("this generation has no steps");
    i = checkWhole("step", i, 0, this.steps.length - 1);
    const own = { temperature: this.temperature, topK: this.topK, topP: this.topP, minP: this.minP };
    return this.decoder.distributionOf(this.decoder.keptLogits(this.kept, i, this.row, this.stopAtEnd),
      { ...own, ...settings });
  }
}

// -- the model -------------------------------------------------------------------------------------

/** A loaded model ready to decode: ``generate``, ``compare``, ``start``, ``encode``, ``decode``. */
export class Model {
  /** ``wasm: false`` runs the matrix products in plain JavaScript, as a browser without WebAssembly SIMD does. */
  constructor(spec, buffer, { wasm = true } = {}) {
    if (spec.format !== FORMAT) throw new ChargenError(`not a chargen browser model (format ${pyRepr(spec.format)}, expected ${FORMAT})`);
    this.spec = spec;
    this.name = spec.name;
    this.level = spec.level;
    this.card = spec.card;
    this.architecture = spec.architecture;
    this.vocab = new Vocab(spec.vocab);
    this.tokens = this.vocab.tokens;
    this.network = new Network(spec.architecture, readTensors(buffer, spec.weights.tensors), new Kernel({ wasm }));
    if (this.network.vocabSize !== this.vocab.size) {
      throw new ChargenError(`the model predicts ${this.network.vocabSize} tokens but the vocabulary has ${this.vocab.size}`);
    }
    this.ziggurat = spec.noise.ziggurat;
    this.outBiases = new Map();
    this.keepLogits = this.vocab.size <= this.network.units; // else keep the top layer's h (a word vocabulary is wider)
    this.logitsCache = { key: null, logits: null };
    this.lastStep = { logits: null, p: null };
  }

  encode(text) {
    return this.vocab.encode(text);
  }

  decode(ids) {
    return this.vocab.decode(ids);
  }

  /** The prompt as a page shows it (normalized, case kept); generated text follows it directly. */
  promptText(prompt) {
    return this.vocab.display(prompt);
  }

  /** The output bias with -Infinity at the reserved ids (and at the end too when the caller does not stop there). */
  outBias(stopAtEnd) {
    if (!this.outBiases.has(stopAtEnd)) {
      const bias = Float64Array.from(this.network.outputBias);
      for (const id of this.vocab.reservedIds) if (!(stopAtEnd && id === this.vocab.reserved.eos)) bias[id] = -Infinity;
      this.outBiases.set(stopAtEnd, bias);
    }
    return this.outBiases.get(stopAtEnd);
  }

  promptIds(prompt, limits) {
    if (typeof prompt !== "string") {
      throw new ChargenError(`prompt must be text, not ${pyType(prompt)}`, "text", { name: "prompt", type: pyType(prompt) });
    }
    if (limits.promptNeeded && !prompt.trim()) throw new ChargenError("the prompt is empty", "empty");
    const length = Array.from(prompt).length;
    if (length > limits.maxPromptChars) {
      throw new ChargenError(`prompt is ${grouped(length)} characters; the limit is ${grouped(limits.maxPromptChars)}`, "long",
        { n: length, limit: limits.maxPromptChars });
    }
    const { ids, unknown } = this.vocab.encodePrompt(prompt);
    if (limits.promptNeeded && !ids.length) {
      const units = this.level === "char" ? "characters" : "words";
      throw new ChargenError(`the model knows none of the prompt's ${units}`, "unknown", { level: this.level });
    }
    return { ids: [this.vocab.reserved.bos, ...ids], unknown };
  }

  /** The Distribution of one step's logits under the settings (validated here). */
  distributionOf(logits, { temperature = 1, topK = null, topP = null, minP = null } = {}, limits = LIMITS) {
    const truncation = checkTruncation({ topK, topP, minP });
    // A slider redraws one step again and again: its probabilities at T = 1, and their order, are kept.
    const last = this.lastStep.logits === logits ? this.lastStep : (this.lastStep = { logits, p: sampling.softmax(logits) });
    const pT1 = last.p;
    if (temperature === null) return new Distribution(this.tokens, pT1, pT1, { temperature: null, topK: null, topP: null, minP: null });
    temperature = checkTemperature(temperature, limits.temperature);
    if (truncation.topP !== null) last.order ??= sampling.mostProbableOrder(pT1);
    const p = sampling.distribution(logits, temperature, truncation, last.order);
    return new Distribution(this.tokens, pT1, p, { temperature, ...truncation });
  }

  /** A kept step's logits: kept as they were, or made again from the top layer's h (the last one asked is cached). */
  keptLogits(kept, i, row, stopAtEnd) {
    const value = kept[i][row];
    if (this.keepLogits) return value;
    if (this.logitsCache.key !== value) this.logitsCache = { key: value, logits: this.network.logits(value, this.outBias(stopAtEnd)) };
    return this.logitsCache.logits;
  }

  /** Continue ``prompt`` by up to ``length`` tokens (chargen.Generator.generate). */
  generate(prompt, { temperature = 1, greedy = false, length = 100, seed = null, topK = null, topP = null, minP = null,
    alternatives = 5, stopAtEnd = true, limits = LIMITS } = {}) {
    const rows = [greedy ? null : checkTemperature(temperature, limits.temperature)];
    return this.decodeRows(prompt, rows, { length, seed, topK, topP, minP, alternatives, stopAtEnd, limits })[0];
  }

  /** One generation per temperature (null = greedy), decoded together on the same noise: row i is
   * exactly ``generate(prompt, {temperature: temperatures[i], seed})`` (chargen.Generator.compare). */
  compare(prompt, temperatures = [0.3, 0.8, 1.0, 1.3, 1.8], { length = 100, seed = 0, topK = null, topP = null, minP = null,
    alternatives = 5, stopAtEnd = true, limits = LIMITS } = {}) {
    const rows = temperatureRows(temperatures, limits.maxRows)
      .map((t) => (t === null ? null : checkTemperature(t, limits.temperature)));
    return this.decodeRows(prompt, rows, { length, seed, topK, topP, minP, alternatives, stopAtEnd, limits });
  }

  decodeRows(prompt, temperatures, { length, seed, topK, topP, minP, alternatives, stopAtEnd, limits }) {
    length = checkWhole("length", length, ...limits.length);
    if (limits.maxTokens !== null && temperatures.length * length > limits.maxTokens) {
      throw new ChargenError(`${grouped(temperatures.length)} rows of ${grouped(length)} tokens is more than one call may take ` +
        `(${grouped(limits.maxTokens)} tokens in all)`, "work", { rows: temperatures.length, length, limit: limits.maxTokens });
    }
    alternatives = checkWhole("alternatives", alternatives, ...limits.alternatives);
    const truncation = checkTruncation({ topK, topP, minP });
    seed = checkSeed(seed, limits.maxSeed);
    if (typeof stopAtEnd !== "boolean") {
      throw new ChargenError(`stop_at_end must be True or False, not ${pyRepr(stopAtEnd)}`, "stop", { value: stopAtEnd });
    }
    const { ids, unknown } = this.promptIds(prompt, limits);
    const outBias = this.outBias(stopAtEnd), eos = this.vocab.reserved.eos, size = this.vocab.size;
    const sampled = temperatures.some((t) => t !== null);
    const noise = sampled ? randomStream(seed, ids, this.ziggurat) : null; // the seed and the prompt as read decide the noise
    const gumbel = new Float32Array(size);
    // Every row reads the same prompt: read it once, then each row carries its own state.
    const start = this.network.read(ids, outBias);
    const rows = temperatures.map((temperature) => ({ temperature, logits: start.logits, state: start.state, trace: [], ended: false }));
    const kept = [];
    const k = Math.min(alternatives, positives(start.logits));
    for (let t = 0; t < length; t++) {
      const running = rows.filter((row) => !row.ended);
      if (!running.length) break;
      if (sampled) noise.gumbelRow(size, gumbel); // one row of noise per step, shared by every row
      kept.push(rows.map((row) => (this.keepLogits ? row.logits : row.state.at(-1).h)));
      for (const row of running) {
        let id;
        if (row.temperature === null) id = sampling.argmax(row.logits); // greedy: the most probable token
        else {
          const scores = sampling.truncate(sampling.withTemperature(row.logits, row.temperature, true), truncation, true);
          id = sampling.gumbelChoice(scores, gumbel); // Gumbel-max: a draw from softmax(scores)
        }
        row.trace.push(this.traceStep(row.logits, id, row.temperature, truncation, k));
        if (stopAtEnd && id === eos) row.ended = true;
        else if (t < length - 1) ({ logits: row.logits, state: row.state } = this.network.step(id, row.state, outBias));
      }
    }
    const promptText = this.promptText(prompt);
    return rows.map((row, r) => {
      const steps = this.steps(row.trace, promptText);
      const greedy = row.temperature === null;
      return new Generation({
        prompt, text: steps.map((s) => s.text).join(""), steps, temperature: row.temperature, greedy, seed,
        ended: Boolean(steps.length && steps.at(-1).end), unknown, level: this.level, model: this.name,
        promptTokens: ids.slice(1).map((i) => this.tokens[i]), stopAtEnd, alternatives,
        topK: greedy ? null : truncation.topK, topP: greedy ? null : truncation.topP, minP: greedy ? null : truncation.minP,
        decoder: this, kept, row: r,
      });
    });
  }

  /** A step's record before its text is known: the distributions at T = 1 and drawn from. */
  traceStep(logits, id, temperature, truncation, k) {
    const pT1 = sampling.softmax(logits);
    const truncating = truncation.topK !== null || truncation.topP !== null || truncation.minP !== null;
    const p = temperature !== null && (temperature !== 1 || truncating)
      ? sampling.distribution(logits, temperature, truncation) : pT1;
    const top = k ? sampling.mostProbable(pT1, k) : [];
    return {
      id, prob: p[id], probT1: pT1[id], rank: sampling.rank(pT1, id), entropy: p === pT1 ? null : sampling.entropyBits(p),
      entropyT1: sampling.entropyBits(pT1),
      top: top.map((i) => ({ token: this.tokens[i], id: i, pT1: pT1[i], p: p[i], removed: p[i] === 0 })),
    };
  }

  /** Steps with their tokens and text, for trace records that follow ``after``. */
  steps(trace, after) {
    if (!trace.length) return [];
    const eos = this.vocab.reserved.eos;
    const names = trace.map((s) => this.tokens[s.id]);
    const ended = trace.at(-1).id === eos;
    const pieces = this.vocab.pieces(ended ? names.slice(0, -1) : names, after);
    if (ended) pieces.push("");
    return trace.map((s, i) => ({
      token: names[i], id: s.id, text: pieces[i], prob: s.prob, probT1: s.probT1, rank: s.rank,
      entropy: s.entropy ?? s.entropyT1, entropyT1: s.entropyT1, top: s.top, end: ended && i === trace.length - 1,
    }));
  }

  /** Decode by hand from ``prompt``: see Stepper. */
  start(prompt, { alternatives = 5, limits = LIMITS } = {}) {
    return new Stepper(this, prompt, alternatives, limits);
  }
}

function positives(logits) {
  let n = 0;
  const probs = sampling.softmax(logits);
  for (const p of probs) if (p > 0) n++;
  return n;
}

/** Decoding by hand: the model proposes, the caller picks (chargen.Stepper). The prompt is read once; each pick
 * feeds one token and keeps every step's state, so ``undo`` is free. Sampling every step with one seed and
 * setting writes ``generate``'s text. */
export class Stepper {
  constructor(model, prompt, alternatives, limits) {
    ({ ids: this.ids, unknown: this.unknown } = model.promptIds(prompt, limits));
    Object.assign(this, { model, prompt, limits });
    this.alternatives = checkWhole("alternatives", alternatives, ...limits.alternatives);
    this.outBias = model.outBias(true);
    this.promptText = model.promptText(prompt);
    this.frames = [model.network.read(this.ids, this.outBias)]; // the logits and state before each step
    this.noise = { seed: null, stream: null, drawn: 0, row: null };
    this.steps = [];
  }

  get text() {
    return this.steps.map((s) => s.text).join("");
  }

  get ended() {
    return Boolean(this.steps.length && this.steps.at(-1).end);
  }

  /** The next token's whole distribution under these settings (``temperature: null``: greedy). */
  distribution(settings = {}) {
    return this.model.distributionOf(this.frames.at(-1).logits, settings, this.limits);
  }

  /** The ``k`` most probable next tokens (default: ``alternatives``): [{token, id, pT1, p, removed}]. */
  proposals({ k = null, ...settings } = {}) {
    if (k !== null) k = checkWhole("alternatives", k, ...this.limits.alternatives);
    const d = this.distribution(settings);
    let positive = 0;
    for (const p of d.pT1) if (p > 0) positive++;
    return sampling.mostProbable(d.pT1, Math.min(k || this.alternatives || 1, positive))
      .map((i) => ({ token: this.model.tokens[i], id: i, pT1: d.pT1[i], p: d.p[i], removed: d.p[i] === 0 }));
  }

  /** Take ``id`` as the next token; its step is recorded under these settings. */
  choose(id, { temperature = null, topK = null, topP = null, minP = null } = {}) {
    if (this.ended) throw new ChargenError("the title has ended; undo a step to go on", "ended");
    const { logits, state } = this.frames.at(-1);
    id = checkWhole("token_id", id, 0, this.model.vocab.size - 1);
    if (logits[id] === -Infinity) {
      const token = this.model.tokens[id];
      throw new ChargenError(`${pyRepr(token)} is reserved and cannot be chosen`, "reserved", { token });
    }
    if (temperature !== null) temperature = checkTemperature(temperature, this.limits.temperature);
    const truncation = temperature !== null ? checkTruncation({ topK, topP, minP }) : { topK: null, topP: null, minP: null };
    const record = this.model.traceStep(logits, id, temperature, truncation, Math.min(this.alternatives, positives(logits)));
    const [step] = this.model.steps([record], this.promptText + this.text);
    this.steps.push(step);
    this.frames.push(this.model.network.step(id, state, this.outBias));
    return step;
  }

  /** Draw the next token as ``generate`` would at this step with this seed and these settings. */
  sample({ temperature = 1, seed = 0, topK = null, topP = null, minP = null } = {}) {
    temperature = checkTemperature(temperature, this.limits.temperature);
    const truncation = checkTruncation({ topK, topP, minP });
    const noise = this.noiseRow(checkSeed(seed, this.limits.maxSeed), this.steps.length);
    const scores = sampling.truncate(sampling.withTemperature(this.frames.at(-1).logits, temperature, true), truncation, true);
    return this.choose(sampling.gumbelChoice(scores, noise), { temperature, ...truncation });
  }

  /** Row ``n`` of the generation's noise for ``seed`` (the stream is kept, and restarted after an undo). */
  noiseRow(seed, n) {
    let { seed: keptSeed, stream, drawn, row } = this.noise;
    if (keptSeed !== seed || drawn > n) {
      stream = randomStream(seed, this.ids, this.model.ziggurat);
      drawn = 0;
    }
    while (drawn <= n) {
      row = stream.gumbelRow(this.model.vocab.size);
      drawn++;
    }
    this.noise = { seed, stream, drawn, row };
    return row;
  }

  /** Take the most probable next token. */
  greedy() {
    return this.choose(sampling.argmax(this.frames.at(-1).logits));
  }

  /** Take back the last step (its state is simply dropped). */
  undo() {
    if (this.steps.length) {
      this.steps.pop();
      this.frames.pop();
    }
  }
}

// -- loading ---------------------------------------------------------------------------------------

async function readModelFiles(where) {
  if (typeof window === "undefined" && !/^https?:/.test(String(where))) { // Node: a folder
    const { readFile } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const spec = JSON.parse(await readFile(join(String(where), "model.json"), "utf8"));
    const bytes = await readFile(join(String(where), spec.weights.file));
    return { spec, buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
  }
  const base = new URL(String(where).endsWith("/") ? String(where) : `${where}/`, globalThis.location?.href);
  const fetched = async (url, what) => {
    const response = await fetch(url);
    if (!response.ok) throw new ChargenError(`${url}: ${what} not found (HTTP ${response.status})`, "fetch", { url: String(url) });
    return response;
  };
  const spec = await (await fetched(new URL("model.json", base), "model file")).json();
  const buffer = await (await fetched(new URL(spec.weights.file, base), "weights file")).arrayBuffer();
  return { spec, buffer };
}

/** A model from the folder ``export-web`` wrote: a URL in a browser, a path in Node. ``options.wasm``: see Model. */
export async function loadModel(where, options = {}) {
  const { spec, buffer } = await readModelFiles(where);
  if (buffer.byteLength < spec.weights?.bytes) {
    throw new ChargenError(`${where}: the weights file is damaged (${buffer.byteLength} bytes, expected ${spec.weights.bytes})`);
  }
  return new Model(spec, buffer, options);
}
