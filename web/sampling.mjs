// chargen/sampling.py in JavaScript: small pure functions of scores (log-probabilities up to a
// constant), each returning new scores with -Infinity where an id was removed, in the pipeline's order:
//   p -> p^(1/T) -> top-k -> top-p -> min-p -> renormalise
// ``f32`` mirrors the draw, which NumPy computes on float32 logits (every result rounded to float32);
// the trace's distributions are float64, as in Python.

const fround = Math.fround;

export function softmax(scores) {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  const out = new Float64Array(scores.length);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += out[i] = Math.exp(scores[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** ``logits / T``: its softmax is p^(1/T) renormalised. */
export function withTemperature(logits, temperature, f32 = false) {
  const out = new Float64Array(logits.length);
  if (temperature === 1) {
    out.set(logits);
    return out;
  }
  const t = f32 ? fround(temperature) : temperature;
  for (let i = 0; i < logits.length; i++) out[i] = f32 ? fround(logits[i] / t) : logits[i] / t;
  return out;
}

/** New scores with -Infinity where ``remove(score, id)`` says so (a plain loop: typed arrays' map is slower). */
function removed(scores, remove) {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < out.length; i++) out[i] = remove(scores[i], i) ? -Infinity : scores[i];
  return out;
}

/** Keep the ``k`` most probable ids (and any tied with the k-th). */
export function withTopK(scores, k) {
  if (k >= scores.length) return scores;
  const kth = Float64Array.from(scores).sort()[scores.length - k];
  return removed(scores, (s) => s < kth);
}

/** Keep the smallest set of most probable ids whose probability reaches ``topP``. ``order``: the ids most probable
 * first, where the caller knows it (a step redrawn at another T keeps its order: p^(1/T) is monotone in p). */
export function withTopP(scores, topP, order = null) {
  const probs = softmax(scores);
  const sorted = order ?? sortedDescending(probs, topP);
  const at = order ? (j) => probs[order[j]] : (j) => sorted[j];
  let cumulative = 0, kept = 0;
  for (let j = 0; j < sorted.length; j++) {
    const p = at(j);
    cumulative += p;
    if (cumulative - p < topP - 1e-9) kept++; // the mass of the more probable ids; 1e-9: "reaches" within rounding
  }
  const cut = at(Math.max(kept, 1) - 1); // the least kept probability: ids below it are removed
  return removed(scores, (s, i) => probs[i] < cut);
}

/** The probabilities most probable first (a native sort); tied values add up the same in any order, so running
 * sums over them are those of Python's stable argsort. A word vocabulary is 12,000 wide: only the ids above a floor
 * are sorted, the highest floor whose ids below it cannot reach the cut. */
function sortedDescending(probs, topP) {
  let floor = 0, above = 0;
  for (const candidate of [1e-4, 1e-5, 1e-6]) {
    let below = 0;
    for (const p of probs) if (p < candidate) below += p;
    if (1 - below >= topP + 1e-6) {
      floor = candidate;
      break;
    }
  }
  const sorted = new Float64Array(probs.length);
  for (const p of probs) if (p >= floor) sorted[above++] = p;
  return sorted.subarray(0, above).sort().reverse();
}

/** Drop ids whose probability is below ``minP`` times the largest one's. */
export function withMinP(scores, minP, f32 = false) {
  if (minP === 0) return scores;
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  const floor = f32 ? fround(max + fround(Math.log(minP))) : max + Math.log(minP);
  return removed(scores, (s) => s < floor);
}

/** The truncation samplers in their order; null turns each off. */
export function truncate(scores, { topK = null, topP = null, minP = null } = {}, f32 = false, order = null) {
  if (topK !== null) scores = withTopK(scores, topK);
  if (topP !== null) scores = withTopP(scores, topP, order);
  if (minP !== null) scores = withMinP(scores, minP, f32);
  return scores;
}

/** The whole pipeline: the distribution drawn from, at ``temperature`` after truncation. */
export function distribution(logits, temperature, truncation, order = null) {
  return softmax(truncate(withTemperature(logits, temperature), truncation, false, order));
}

/** Shannon entropy in bits (0 log 0 = 0). */
export function entropyBits(probs) {
  let h = 0;
  for (const p of probs) if (p > 0) h -= p * Math.log2(p);
  return h;
}

/** The first index of the largest value (NumPy's argmax). */
export function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** ``argmax(scores + noise)`` in float32: a draw from softmax(scores) when noise is standard Gumbel. */
export function gumbelChoice(scores, noise) {
  let best = 0, bestValue = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    const value = fround(scores[i] + noise[i]);
    if (value > bestValue) {
      best = i;
      bestValue = value;
    }
  }
  return best;
}

/** Ids by probability, most probable first (ties: the lower id first). */
export function mostProbableOrder(probs) {
  const order = Array.from(probs.keys());
  return order.sort((a, b) => probs[b] - probs[a] || a - b);
}

/** The ``k`` most probable ids, most probable first. */
export function mostProbable(probs, k) {
  k = Math.min(k, probs.length);
  if (k * 8 > probs.length) return mostProbableOrder(probs).slice(0, k);
  const top = []; // a small sorted list: a word vocabulary is 12,000 wide, k is 5
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (top.length === k && p <= probs[top[k - 1]]) continue;
    let at = top.length;
    while (at > 0 && probs[top[at - 1]] < p) at--;
    top.splice(at, 0, i);
    if (top.length > k) top.pop();
  }
  return top;
}

/** 1-based rank of ``id`` (1 = the most probable). */
export function rank(probs, id) {
  let above = 0;
  for (const p of probs) if (p > probs[id]) above++;
  return 1 + above;
}

export function totalVariation(counts, probs) {
  let n = 0, gap = 0;
  for (const c of counts) n += c;
  for (let i = 0; i < probs.length; i++) gap += Math.abs(counts[i] / n - probs[i]);
  return 0.5 * gap;
}
