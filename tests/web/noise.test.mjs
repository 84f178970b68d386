// random_stream's noise in JavaScript against NumPy's: SeedSequence, PCG64, standard_exponential, Gumbel in float32.
import assert from "node:assert/strict";
import { test } from "node:test";

import { PCG64, randomStream, seedSequenceState } from "../../web/noise.mjs";
import { fixture, SKIP } from "./fixtures.mjs";

const ULP = 2 ** -52;

test("SeedSequence, PCG64 and the exponential and Gumbel noise as NumPy's", { skip: SKIP }, () => {
  const ziggurat = fixture("ziggurat");
  for (const c of fixture("noise")) {
    const what = `seed ${c.seed}, spawn key of ${c.spawnKey.length}`;
    assert.deepEqual(seedSequenceState(BigInt(c.seed), c.spawnKey, 8), c.state, `${what}: SeedSequence state`);
    const bits = new PCG64(c.state);
    for (const raw of c.raw) {
      bits.next64();
      assert.equal(bits.high.toString(16).padStart(8, "0") + bits.low.toString(16).padStart(8, "0"), raw, `${what}: PCG64`);
    }
    const stream = randomStream(BigInt(c.seed), c.spawnKey, ziggurat);
    let far = 0;
    c.exponential.forEach((e, i) => {
      const x = stream.next();
      // The ziggurat's tables, computed to 60 digits, are within 3 units in the last place of NumPy's.
      if (Math.abs(x - e) > 4 * ULP * Math.max(1, e)) far++;
    });
    assert.equal(far, 0, `${what}: exponential draws further than 4 ulp from NumPy's`);
    const gumbel = randomStream(BigInt(c.seed), c.spawnKey, ziggurat).gumbelRow(c.gumbel32.length);
    const differing = c.gumbel32.filter((g, i) => gumbel[i] !== g).length;
    assert.equal(differing, 0, `${what}: ${differing} of ${c.gumbel32.length} float32 Gumbel values differ`);
  }
});
