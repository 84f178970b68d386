// The browser edition of chargen's classroom page: composes the views (one module each, as app.py composes
// views/), the model choice, the language and the links. The models run here, in the reader's browser.
import * as compare from "./compare.mjs";
import * as generate from "./generate.mjs";
import * as step from "./step.mjs";
import {el, model, page, refuse, relabel} from "./common.mjs";
import {browserLanguage} from "./labels.mjs";

const VIEWS = {generate, compare, step};

async function main() {
  page.settings = await (await fetch("page.json")).json();
  page.language = browserLanguage(page.settings.labels);
  page.model = page.settings.models[0].name;
  const built = Object.fromEntries(Object.entries(VIEWS).map(([name, view]) =>
    [name, view.build(document.getElementById(`view-${name}`))]));

  const modelBox = document.getElementById("model");
  modelBox.replaceChildren(...page.settings.models.map(m => el("option", {value: m.name}, m.name)));
  const languageBox = document.getElementById("language");
  languageBox.replaceChildren(...Object.entries(page.settings.labels).map(([code, words]) =>
    el("option", {value: code, lang: code}, words.language_name)));
  languageBox.value = page.language;

  const tabs = [...document.querySelectorAll("[role=tab]")];
  const show = (name, draw = true) => {
    for (const tab of tabs) {
      const selected = tab.dataset.view === name;
      tab.setAttribute("aria-selected", selected);
      tab.tabIndex = selected ? 0 : -1;
      document.getElementById(`view-${tab.dataset.view}`).hidden = !selected;
    }
    if (draw) built[name].shown?.();
  };
  for (const tab of tabs) tab.addEventListener("click", () => show(tab.dataset.view));

  const relabelAll = () => {
    document.documentElement.lang = page.language;
    relabel(document.body);
    for (const hook of page.relabelled) hook();
  };
  languageBox.addEventListener("change", () => { page.language = languageBox.value; relabelAll(); });
  // A new model: every view's "after epoch" follows it, and the shown results are decoded again.
  const chooseModel = name => {
    page.model = name;
    modelBox.value = name;
    built.generate.epoch.draw();
    built.compare.epoch.draw();
  };
  modelBox.addEventListener("change", () => {
    chooseModel(modelBox.value);
    built[tabs.find(tab => tab.getAttribute("aria-selected") === "true").dataset.view].redo();
  });
  relabelAll();
  model(page.model).catch(refuse);  // the download starts while the page is laid out

  // A link opens its view with its inputs and decodes; otherwise the page opens on a generation (seed 0 while
  // the seed field is blank), so it teaches at once.
  const query = new URLSearchParams(location.search);
  const view = query.get("view");
  const linked = page.settings.models.find(m => m.name === query.get("model"));
  if (view in built && built[view].open) {
    if (linked) chooseModel(linked.name);
    show(view, false);
    await built[view].open(query);
  } else {
    show("generate");
    await built.generate.generate({opening: true});
  }
  document.body.dataset.ready = performance.now().toFixed(0);  // when the first result was drawn (tests, bench)
}

main().catch(refuse);
