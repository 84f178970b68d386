// Links: the same address parameters as the Gradio page's (views/link.py), so one link opens the same text in
// either edition.
//   ?view=generate&model=lesson&epoch=8&prompt=Today+&T=0.8&length=100&seed=42&alternatives=5
//   ?view=compare&model=default&prompt=Moscow%2C+&T=greedy,0.3,1&length=100&seed=0&with=words
import {el, page, snapshotNames} from "./common.mjs";
import {snapshotOf} from "./labels.mjs";

// A temperature as a link writes it: "greedy", or the number as Python's "%g" writes it (0.8, 1, 0.85).
export const written = t => t === null || String(t).toLowerCase() === "greedy" ? "greedy" : String(Number(Number(t).toPrecision(6)));

// This page's address with a view's inputs as its query (the model split into model and epoch).
export function address(view, model, inputs) {
  const snapshot = snapshotOf(model);
  const query = new URLSearchParams({view, ...(snapshot ? {model: snapshot[0], epoch: snapshot[1]} : {model})});
  for (const [name, value] of Object.entries(inputs)) {
    if (value !== null && value !== undefined && value !== "") query.append(name, value);
  }
  return `${location.origin}${location.pathname}?${query}`;
}

// A "link to this" button and the box that shows the link (hidden until asked); the address bar shows it too.
export function linkButton(id, makeLink) {
  const box = el("input", {type: "text", readonly: true, id, "data-l-aria": "link_url", class: "link-box", hidden: true});
  const press = () => {
    const url = makeLink();
    if (!url) return;
    box.value = url;
    box.hidden = false;
    box.select();
    history.replaceState(null, "", url);
  };
  return el("div", {class: "share-row"}, el("button", {type: "button", id: `${id}-button`, class: "secondary small",
                                                       onclick: press, "data-l": "link"}), box);
}

// -- opening a link ---------------------------------------------------------------------------------------------

// The model a link names (with its epoch: a snapshot), if the page offers it.
export function modelIn(query) {
  const name = query.get("model"), epoch = query.get("epoch");
  if (!page.settings.models.some(m => m.name === name)) return null;
  if (epoch === null) return name;
  return snapshotNames(name).find(([e]) => String(e) === epoch)?.[1] ?? null;
}

// A number the link carries, or undefined (absent or mangled: the field stays as it was).
export function numberIn(query, name, whole = false) {
  const text = query.get(name);
  if (text === null || !text.trim()) return undefined;
  const value = Number(text);
  return Number.isNaN(value) || (whole && !/^\s*[-+]?\d+\s*$/.test(text)) ? undefined : value;
}

export const SAMPLERS = {topK: ["top_k", true], topP: ["top_p", false], minP: ["min_p", false]};

// The samplers a link sets: {topK, topP, minP}, each only if given.
export function samplersIn(query) {
  return Object.fromEntries(Object.entries(SAMPLERS).map(([key, [name, whole]]) => [key, numberIn(query, name, whole)])
    .filter(([, value]) => value !== undefined));
}

// The samplers a result used, as a link writes them (off: left out).
export const samplerInputs = cut => Object.fromEntries(Object.entries(SAMPLERS).map(([key, [name]]) => [name, cut[key]]));
