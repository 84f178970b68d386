// The fixtures make_fixtures.py wrote (CHARGEN_WEB_FIXTURES), and the models it exported, loaded once.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { loadModel } from "../../web/chargen.mjs";

export const FOLDER = process.env.CHARGEN_WEB_FIXTURES;
export const SKIP = FOLDER ? false : "CHARGEN_WEB_FIXTURES is not set: run tests/run.sh, or make_fixtures.py OUT first";
export const TOLERANCE = 1e-5; // probabilities: float64 sums in JavaScript against NumPy's float32 matrix products
export const NEAR_TIE = 1e-5; // the largest gap between the two best noisy scores that may decide a draw either way

export function fixture(name) {
  return JSON.parse(readFileSync(join(FOLDER, `${name}.json`), "utf8"));
}

const models = new Map();

/** A model as exported; ``{wasm: false}``: with its products in plain JavaScript. */
export async function model(name, options = {}) {
  const key = `${name} ${JSON.stringify(options)}`;
  if (!models.has(key)) models.set(key, await loadModel(join(FOLDER, "models", name), options));
  return models.get(key);
}
