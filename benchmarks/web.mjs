// The browser decoder's timings, the same code in Node and in Chromium (benchmarks/web.py runs both beside NumPy):
//   node benchmarks/web.mjs MODELS_DIR        -> JSON on stdout
// Per model: 100 tokens decoded (T = 0.8, top-5 trace, not stopping at the end of a title) and one step's whole
// distribution redrawn at another T and top-p, as a slider move asks; medians over rounds after a warm-up.
import { loadModel } from "../web/chargen.mjs";

export const MODELS = ["lesson", "default", "words"];
const LENGTH = 100;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function measure(base, rounds = 15) {
  const results = {};
  for (const name of MODELS) {
    let started = performance.now();
    const model = await loadModel(`${base}/${name}`);
    const loadMs = performance.now() - started;
    const decode = (seed) => model.generate("Today ", { temperature: 0.8, length: LENGTH, seed, stopAtEnd: false });
    for (let r = 0; r < 10; r++) decode(1000 + r); // the JIT's warm-up
    const decodeMs = [], characters = [];
    for (let r = 0; r < rounds; r++) {
      started = performance.now();
      const out = decode(r);
      decodeMs.push(performance.now() - started);
      characters.push(Array.from(out.text).length);
    }
    const out = decode(0);
    const redrawMs = [];
    for (let r = 0; r < 5 * rounds; r++) {
      started = performance.now();
      out.distribution(LENGTH - 1, { temperature: 0.3 + (r % 20) / 10, topP: 0.9 });
      redrawMs.push(performance.now() - started);
    }
    const ms = median(decodeMs);
    results[name] = {
      load_ms: loadMs, decode_ms: ms, tokens: LENGTH, characters: median(characters),
      chars_per_s: (median(characters) / ms) * 1000, redraw_ms: median(redrawMs), text: out.text,
    };
  }
  return results;
}

if (typeof process !== "undefined" && import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measure(process.argv[2], Number(process.argv[3] || 15))));
}
