// The bundles' tokenizers in JavaScript against chargen.vocab: every AG News test title (where the data is beside
// the project) and the fixed prompts, under each vocabulary: ids, unknown tokens, the prompt as shown, decoding.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fixture, model, SKIP } from "./fixtures.mjs";

test("encode, display and decode as chargen.vocab on every test title, per vocabulary", { skip: SKIP }, async () => {
  const { titles } = fixture("meta");
  for (const [name, c] of Object.entries(fixture("encode"))) {
    const m = await model(name);
    let differing = 0;
    c.texts.forEach((text, i) => {
      const { ids, unknown } = m.vocab.encodePrompt(text);
      if (JSON.stringify(ids) !== JSON.stringify(c.ids[i])) differing++;
      assert.deepEqual(ids, c.ids[i], `${name}: ids of ${JSON.stringify(text)}`);
      assert.deepEqual(unknown, c.unknown[i], `${name}: unknown tokens of ${JSON.stringify(text)}`);
      assert.equal(m.promptText(text), c.display[i], `${name}: ${JSON.stringify(text)} as shown`);
      assert.deepEqual(m.encode(text), c.ids[i]);
    });
    c.decoded.forEach((text, i) => assert.equal(m.decode(c.ids[i]), text, `${name}: decode of ${JSON.stringify(c.texts[i])}`));
    assert.equal(differing, 0);
    console.log(`# ${name}: ${c.texts.length} texts (${titles} test titles) encoded as Python`);
  }
});
