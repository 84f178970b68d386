// The page's words, from page.json (exported from views/labels.py: the Gradio page's own tables), and how
// numbers, settings and refusals are written in them: a port of the helpers in views/labels.py and common.py.

export function forLevel(words, level) {
  const unit = words[`unit_${level}`], units = words[`units_${level}`];
  return Object.fromEntries(Object.entries(words).map(([key, text]) =>
    [key, text.replaceAll("{unit}", unit).replaceAll("{units}", units)]));
}

// The browser's first language we have labels for ("en" otherwise), as the Gradio page picks it.
export function browserLanguage(labels) {
  const codes = (navigator.languages?.length ? navigator.languages : [navigator.language || "en"])
    .map(tag => tag.slice(0, 2).toLowerCase());
  return codes.find(code => code in labels) || "en";
}

// "{name} must be ..." with the fields filled in.
export function format(text, fields) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => name in fields ? String(fields[name]) : whole);
}

// 10,797.5 in English, 10.797,5 in Dutch.
export function number(value, words, digits = 0) {
  const [whole, fraction] = Math.abs(value).toFixed(digits).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, words.thousands);
  const sign = value < 0 && Number(Math.abs(value).toFixed(digits)) !== 0 ? "-" : "";
  return sign + grouped + (fraction ? words.decimal + fraction : "");
}

export function percent(p, words, digits = 1) {
  return number(100 * p, words, digits) + "%";
}

// A setting (T, top-p) with as few decimals as it needs: 0.8, 0,8 (rounded: a slider's 0.8500000000000001).
export function setting(value, words) {
  return String(Number(Number(value).toFixed(4))).replace(".", words.decimal);
}

// A number a person typed, with a decimal point or comma ("0,3" is 0.3); NaN for anything else.
export function typedNumber(text) {
  const plain = String(text).trim().replace(",", ".");
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(plain) ? Number(plain) : NaN;
}

export function temperatureLabel(temperature, words) {
  return temperature === null ? words.greedy_label : format(words.t_label, {t: setting(temperature, words)});
}

// The samplers that are on, in the core's order: ["top-k 20", "top-p 0.9"].
export function samplerSteps(truncation, words) {
  return [["top-k", truncation.topK], ["top-p", truncation.topP], ["min-p", truncation.minP]]
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([name, value]) => `${name} ${setting(value, words)}`);
}

export function snapshotOf(name) {
  const match = /^(.*)@(\d+)$/.exec(String(name));
  return match ? [match[1], Number(match[2])] : null;
}

// A model as a result names it: a snapshot by its model and epoch ("lesson after epoch 8").
export function modelName(name, words) {
  const snapshot = snapshotOf(name);
  return snapshot ? format(words.after_epoch_name, {model: snapshot[0], epoch: snapshot[1]}) : name;
}

// What made a result: model, level, greedy or T with the samplers, and the seed when there was one to draw with.
export function madeBy(model, level, temperature, seed, words, truncation = {}) {
  const decoding = [temperatureLabel(temperature, words),
                    ...(temperature === null ? [] : samplerSteps(truncation, words))].join(" · ");
  const fields = {model: modelName(model, words), kind: words[`units_${level}`], decoding, seed};
  return format(temperature === null || seed === null ? words.made_by : words.made_by_seed, fields);
}

// A refusal in the reader's language, by the core's key and fields (as views/common.py's say and phrase).
export function say(error, words) {
  if (!error.key || !(`refuse_${error.key}` in words)) return error.message;
  const shown = (field, value) => {
    if (field === "name") return words[`name_${value}`] ?? value;
    if (field === "level") return words[`units_${value}`] ?? value;
    if (field === "value") return typeof value === "string" ? `'${value}'` : String(value);
    if (typeof value === "number") return number(value, words, Number.isInteger(value) ? 0 : 1);
    return value;
  };
  const fields = Object.fromEntries(Object.entries(error.fields || {}).map(([f, v]) => [f, shown(f, v)]));
  return format(words[`refuse_${error.key}`], fields);
}

// The labels' own markup: a heading's "# " goes, **bold** becomes <strong>; everything else is text.
export function markup(text) {
  const escaped = text.replace(/^#+ /, "").replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[c]);
  return escaped.replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>");
}
