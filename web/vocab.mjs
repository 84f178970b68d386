// chargen.vocab in JavaScript: normalization, the two tokenizers (characters, words) and joining.
// The tables (AG News' entities, Python's HTML entities, joining rules, the case model) come in the
// exported model.json from the Python that defines them; what is here is the code around them.

// Python's str.isspace() (and \s in its regular expressions), which JavaScript's \s does not match exactly.
const SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const WORD_CHAR = "\\p{L}\\p{N}_"; // Python's \w: str.isalnum() and the underscore
const SPACES = new RegExp(`[${SPACE}]+`, "gu");
const IS_SPACE = new RegExp(`^[${SPACE}]$`, "u");
// chargen.vocab._WORD with Python's \w and \s spelled out.
const W = `[${WORD_CHAR}]`;
const WORD = new RegExp(`${W}+(?:['.\\-]${W}+)*\\.?(?<=[A-Z]\\.)|${W}+(?:['.\\-]${W}+)*|[^${WORD_CHAR}${SPACE}]`, "gu");
// html.unescape's pattern (Lib/html/__init__.py).
const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

class Normalizer {
  constructor(tables) {
    this.name = tables.name;
    this.lower = tables.lower;
    if (!tables.ag_entities) return;
    this.agEntities = tables.ag_entities;
    this.agEntity = new RegExp(Object.keys(tables.ag_entities).map(escapeRegExp).join("|"), "g");
    this.tag = new RegExp(tables.tag, "g");
    this.html5 = new Map(Object.entries(tables.html5));
    this.invalidCharrefs = new Map(Object.entries(tables.invalid_charrefs).map(([k, v]) => [Number(k), v]));
    this.invalidCodepoints = new Set(tables.invalid_codepoints);
  }

  /** ``clean_ag_news`` (or nothing, for normalization "none"). */
  clean(text) {
    if (!this.agEntities) return text;
    text = text.replace(this.agEntity, (m) => this.agEntities[m]);
    text = this.unescape(text).replaceAll("\\$", "$").replaceAll("\\", " ");
    return text.replace(this.tag, "").replace(SPACES, " ");
  }

  normalize(text) {
    const clean = this.clean(text);
    return this.lower ? clean.toLowerCase() : clean;
  }

  /** Python's html.unescape. */
  unescape(text) {
    if (!text.includes("&")) return text;
    return text.replace(CHARREF, (_, ref) => {
      if (ref[0] === "#") {
        const hex = ref[1] === "x" || ref[1] === "X";
        const num = parseInt(ref.slice(hex ? 2 : 1).replace(/;$/, ""), hex ? 16 : 10);
        if (this.invalidCharrefs.has(num)) return this.invalidCharrefs.get(num);
        if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return "\ufffd";
        if (this.invalidCodepoints.has(num)) return "";
        return String.fromCodePoint(num);
      }
      if (this.html5.has(ref)) return this.html5.get(ref);
      for (let x = ref.length - 1; x > 1; x--) {
        if (this.html5.has(ref.slice(0, x))) return this.html5.get(ref.slice(0, x)) + ref.slice(x);
      }
      return "&" + ref;
    });
  }
}

/** A vocabulary from model.json's "vocab": the same interface at both levels. */
export class Vocab {
  constructor(data) {
    this.level = data.level;
    this.tokens = data.tokens;
    this.index = new Map(this.tokens.map((token, i) => [token, i]));
    this.reserved = data.reserved;
    this.reservedIds = new Set(Object.values(data.reserved));
    this.unknownId = data.unknown_id;
    this.normalizer = new Normalizer(data.normalization);
    this.noSpaceBefore = new Set(data.no_space_before || []);
    this.noSpaceAfter = new Set(data.no_space_after || []);
    this.restoreCase = data.restore_case ? new Map(Object.entries(data.restore_case)) : null;
  }

  get size() {
    return this.tokens.length;
  }

  normalize(text) {
    return this.normalizer.normalize(text);
  }

  /** ``text`` normalized for people: a case-folded vocabulary keeps its case. */
  display(text) {
    return this.normalizer.clean(text);
  }

  tokenize(text) {
    return this.level === "char" ? Array.from(text) : text.match(WORD) || [];
  }

  /** Ids for a prompt and the tokens the vocabulary lacked (dropped characters, <unk> words). */
  encodePrompt(text) {
    const ids = [], unknown = [];
    for (const token of this.tokenize(this.normalize(text))) {
      let id = this.index.get(token);
      if (id === undefined || this.reservedIds.has(id)) {
        unknown.push(token);
        id = this.unknownId;
      }
      if (id !== null && id !== undefined) ids.push(id);
    }
    return { ids, unknown };
  }

  encode(text) {
    return this.encodePrompt(text).ids;
  }

  /** Each token's text as it follows ``after`` and the tokens before it. */
  pieces(tokens, after = "") {
    if (this.level === "char") return tokens.slice();
    const out = [];
    let previous = after ? lastCodePoint(after) : "";
    for (const token of tokens) {
      const space = previous && !IS_SPACE.test(previous) && !this.noSpaceBefore.has(token) && !this.noSpaceAfter.has(previous);
      const text = this.restoreCase?.get(token) ?? token;
      out.push(space ? " " + text : text);
      previous = lastCodePoint(token);
    }
    return out;
  }

  join(tokens, after = "") {
    return this.pieces(tokens, after).join("");
  }

  decode(ids) {
    return this.join(ids.filter((i) => !this.reservedIds.has(i)).map((i) => this.tokens[i]));
  }
}

function lastCodePoint(text) {
  const last = text.codePointAt(text.length - 1);
  return last >= 0xdc00 && last <= 0xdfff && text.length > 1 ? String.fromCodePoint(text.codePointAt(text.length - 2)) : text.slice(-1);
}
