"""The page's words in English and Dutch: labels the browser translates (``i18n``) and text the server writes (``labels``).

``{unit}`` and ``{units}`` stand for the model's token: a character or a word (``for_level``); ``{kind}``
is filled in per result (a comparison's rows may come from models of both levels).
"""
from pathlib import Path

import gradio as gr

from chargen.bundle import snapshot_name  # noqa: F401  (the views name snapshots as the core does)

DOCS = Path(__file__).resolve().parent.parent / "docs"  # the teacher's guides, shown on About as they are written

LABELS = {
    "en": {
        "title": "# chargen: what temperature does to generated text",
        "intro": "A small recurrent network trained on news headlines writes one {unit} at a time. **Temperature T** "
        "reshapes its probabilities before each draw: low T sharpens them (safe, repetitive text), high T flattens them "
        "(surprising, then garbled). **Greedy** takes the most probable {unit}.",
        "model": "Model",
        "tab_generate": "Generate", "tab_compare": "Compare", "tab_step": "Step through",
        "tab_sweep": "Temperature sweep", "tab_about": "About the model", "tab_score": "Score a headline",
        "score_intro": "Paste a headline. Each {unit} is coloured by its rank among the model's guesses at T = 1, "
        "as GLTR shows a text: green where it was the model's first guess, purple where it was a long shot. "
        "Click one to see what the model expected there.",
        "headline": "Headline", "score_button": "Score", "score_with": "Beside",
        "score_examples": "One headline from the training titles, one from the test titles",
        "score_ranks": "Each {unit} coloured by its rank (click one)", "score_click": "Click a {unit} to see what the model expected there",
        "rank_first": "1st guess",
        "score_summary": "{bpc} bits per character, {bits} bits in all ({n} characters)",
        "score_expected": "At “{token}”: rank {rank}, {p}, {bits} bits. The model expected:",
        "score_empty": "the headline is empty: paste or type one", "score_no_second": "no second model",
        "prompt": "Prompt", "prompt_placeholder": "The start of a headline, e.g. Today ",
        "examples": "The lesson's prompts",
        "decoding": "Decoding", "greedy": "Greedy", "sampled": "Sampled",
        "temperature": "Temperature", "temperature_info": "below 1 sharpens, above 1 flattens; inactive under Greedy",
        "length": "Length", "length_info": "{units}; a headline may end sooner: ⏎",
        "seed": "Seed", "seed_info": "blank: a new seed every click; type one to repeat a text",
        "top_k": "Alternatives shown",
        "generate": "Generate",
        "generated": "Each {unit} coloured by its probability; click one for its bars",
        "step": "Step", "step_info": "the step the bars show; click a {unit} to pick it",
        "trace": "Every step",
        "compare_intro": "One prompt, several temperatures, the same seed: the same random draws, only T differs.",
        "temperatures": "Temperatures", "compare": "Compare",
        "compare_with": "Side by side with", "compare_with_info": "a second model (characters beside words): rows alternate, same T and seed",
        "no_second_model": "no second model", "lesson_grid": "Lesson grid (5 × 5)",
        "step_intro": "The model proposes its top-k next {units}: click one, let it sample, or take the greedy one. "
        "The prompt is read once; each choice feeds one {unit} and carries the network's state forward.",
        "samplers": "Truncation: top-k, top-p, min-p", "sampler_top_k": "top-k (0 = off)",
        "sampler_top_p": "top-p (1 = off)", "sampler_min_p": "min-p (0 = off)",
        "plain_too": "Each temperature also without truncation",
        "order_start": "Order: p → p^(1/1) → renormalise", "order": "Order: {steps}", "renormalise": "renormalise",
        "order_greedy": "Greedy: p → the most probable", "order_removed": " (pale bars: removed, drawn at p at T = 1)",
        "draw": "⚄ Draw this step 1,000 times", "bars_drawn": "Drawn 1,000 times",
        "draws_line": "{n} draws at {decoding}, seed {seed}: total-variation distance {tv} from the bars at T",
        "start": "Start", "sample": "⚄ Sample at T", "take_greedy": "Greedy one", "undo": "↶ Undo",
        "text_so_far": "Text so far", "proposals": "Proposals (probability at T)",
        "sweep_intro": "How the next-{unit} distribution after the prompt and its entropy change as T goes from 0.1 to 3.",
        "show": "Show",
        "about": """### What temperature does
At every step the model gives each possible next character (or word) a probability. Before drawing one,
chargen raises every probability to the power 1/T and rescales them so they sum to 1:

- **T below 1 sharpens**: likely characters get likelier, rare ones all but vanish. The text is safe but repeats itself.
- **T = 1** draws from the model's own probabilities.
- **T above 1 flattens**: rare characters get a real chance. The text gets surprising, then garbled.

**Greedy** decoding always takes the most probable character (the limit T → 0): no randomness,
the same text every time, and often a loop.

The **seed** fixes the random draws: the same prompt, settings and seed give the same text.
**Entropy** (bits) measures how spread out a distribution is: 0 bits means certain.
**Bits per character** on titles the model never saw measures how well it predicts: lower is better.""",
        # Text the server writes into the page.
        "decimal": ".", "thousands": ",",
        "unit_char": "character", "units_char": "characters", "unit_word": "word", "units_word": "words",
        "made_by": "{model} ({kind}) · {decoding}", "made_by_seed": "{model} ({kind}) · {decoding} · seed {seed}",
        "made_by_grid": "{model} ({kind}) · seed {seed}", "copied": "copied from training",
        "greedy_label": "greedy", "t_label": "T = {t}",
        "char": "character", "word": "word", "p_t": "p at T", "p_t1": "p at T=1", "rank": "rank",
        "entropy": "entropy (bits)", "alternatives": "top-k: p at T=1 → p at T (%)",
        "bars_t1": "At T = 1 (orange: chosen)", "bars_t1_step": "Step {n} at T = 1 (orange: chosen)",
        "bars_t": "At your T: what was drawn from",
        "bars_t_drawn": "Drawn at {decoding}", "bars_t_slider": "At {decoding} (the slider)",
        "bars_t_greedy": "Greedy: the most probable is taken",
        "bars_t_step": "At your T: the next draw",
        "probability": "probability", "token": "next character or word", "bits": "bits",
        "chosen": "chosen", "other": "other", "rest": "rest", "rest_kind": "rest of the vocabulary",
        "removed": "removed by truncation", "drawn_kind": "drawn share",
        "made_by_label": "made by", "text": "text", "mean_entropy": "entropy (bits/step)",
        "bits_per_step": "surprise (bits/step at T=1)", "real_words": "real words", "repeats": "repeated 4‑grams",
        "not_available": "n/a",
        "unknown_chars": "The model does not know {tokens}: left out of the prompt.",
        "unknown_words": "The model does not know {tokens}: read as an unknown word.",
        "step_status": "Step {n}: {made_by}.", "step_ended": " The headline has ended: undo to go on.",
        "sweep_probs": "Probability of the top-k next {units}", "sweep_entropy": "Entropy of the whole distribution (bits)",
        "card_architecture": "Architecture", "card_units": "{cell}, {layers} layer(s) × {size} units, {input}",
        "card_one_hot": "one-hot input", "card_embedding": "embedding of {n}",
        "card_vocabulary": "Vocabulary", "card_tokens": "{n} {kind}",
        "card_parameters": "Parameters", "card_data": "Training data", "card_rows": "{n} training rows",
        "field_title": "titles", "field_description": "descriptions",
        "card_epochs": "Epochs", "card_time": "Training time", "card_minutes": "{m} min {s} s",
        "card_val": "Bits per {unit}, validation", "card_test": "Bits per character, test",
        "card_test_words": "Bits per word, test",
        "full_card": "The whole card (card.json)",
        "guide_title": "Teacher's guide: a 20-minute lesson on temperature with this page",
        "guide": (DOCS / "teaching.md").read_text(encoding="utf-8"),
        # Links, exports and the lesson model's training snapshots.
        "link": "Link to this", "link_url": "Link to this view: the same inputs, the same text",
        "export_json": "⤓ JSON", "export_csv": "⤓ CSV", "export_grid_csv": "⤓ Lesson grid CSV",
        "after_epoch": "After epoch", "after_epoch_info": "snapshots of the lesson model's training, from noise to headlines",
        "epoch_trained": "trained ({n})", "after_epoch_name": "{model} after epoch {epoch}",
        "epoch_bits": "after epoch {epoch}: {bits} bits per character on the test titles ({n} epochs: {final})",
        "curve": "How the lesson model learned: bits per character on the test titles after each epoch",
        "epoch": "epoch", "test_bits": "test bits per character",
        # Refusals: what a toast says when the page cannot do what was asked.
        "warning": "Note",
        "refuse_range": "{name} must be a number from {low} to {high}, not {value}",
        "refuse_whole": "{name} must be a whole number from {low} to {high}, not {value}",
        "refuse_number": "{name} must be a number, not {value}",
        "refuse_positive": "temperature must be a positive number, not {value} (Greedy is the limit T → 0)",
        "refuse_text": "{name} must be text, not {type}",
        "refuse_work": "{rows} rows of {length} tokens is more than one comparison may take ({limit} tokens for each "
        "model): choose fewer temperatures or a shorter length",
        "refuse_empty": "the prompt is empty: type the start of a headline, e.g. 'Today '",
        "refuse_long": "the prompt is {n} characters; the limit is {limit}",
        "refuse_text_long": "the text is {n} characters; the limit is {limit}",
        "refuse_text_unknown": "nothing to score: the model knows none of the text's {level}",
        "refuse_unknown": "the model knows none of the prompt's {level}: try plain English letters",
        "refuse_no_temperature": "give at least one temperature",
        "refuse_temperatures": "temperatures must be a list of numbers or 'Greedy', not {value}",
        "refuse_rows": "{n} temperatures; the limit is {limit} rows per comparison",
        "refuse_top_k": "top_k must be a whole number of 1 or more (or null: off), not {value}",
        "refuse_top_p": "top_p must be more than 0 and at most 1 (or null: off), not {value}",
        "refuse_min_p": "min_p must be at least 0 and less than 1 (or null: off), not {value}",
        "refuse_decoding": "decoding must be 'Greedy' or 'Sampled', not {value}",
        "refuse_stop": "stop_at_end must be true or false, not {value}",
        "refuse_model": "unknown model {value}; choose from {models}",
        "refuse_start_first": "press Start first",
        "refuse_ended": "the headline has ended: undo a step to go on",
        "refuse_reserved": "{token} is reserved and cannot be chosen",
        "name_temperature": "temperature", "name_length": "length", "name_seed": "seed",
        "name_alternatives": "alternatives", "name_step": "step", "name_prompt": "prompt", "name_text": "text", "name_n": "n",
        "name_token_id": "token id", "name_top_p": "top_p", "name_min_p": "min_p",
        # The browser edition (web/, chargen/site.py), and the Gradio page's link to it.
        "language": "Language", "language_name": "English", "loading": "Loading the model…",
        "load_failed": "could not load the model ({error}): check the connection and reload the page",
        "browser_note": "Browser edition: the model runs on this device, and keeps working offline once loaded.",
        "browser_link": "A large class? [Open the browser edition](browser/): it runs on each student's device.",
    },
    "nl": {
        "title": "# chargen: wat temperatuur doet met gegenereerde tekst",
        "intro": "Een klein recurrent netwerk, getraind op nieuwskoppen, schrijft één {unit} tegelijk. **Temperatuur T** "
        "vervormt de kansen vóór elke trekking: een lage T maakt ze scherper (veilige, herhalende tekst), een hoge T "
        "vlakker (verrassend, daarna onzin). **Gulzig** neemt het waarschijnlijkste {unit}.",
        "model": "Model",
        "tab_generate": "Genereren", "tab_compare": "Vergelijken", "tab_step": "Stap voor stap",
        "tab_sweep": "Temperatuurverloop", "tab_about": "Over het model", "tab_score": "Een kop scoren",
        "score_intro": "Plak een kop. Elk {unit} krijgt de kleur van zijn rang onder de gokken van het model bij T = 1, "
        "zoals GLTR een tekst toont: groen waar het de eerste gok van het model was, paars waar het een gok in het duister was. "
        "Klik erop om te zien wat het model daar verwachtte.",
        "headline": "Kop", "score_button": "Scoren", "score_with": "Naast",
        "score_examples": "Eén kop uit de trainingskoppen, één uit de testkoppen",
        "score_ranks": "Elk {unit} gekleurd naar zijn rang (klik erop)", "score_click": "Klik op een {unit} om te zien wat het model daar verwachtte",
        "rank_first": "1e gok",
        "score_summary": "{bpc} bits per teken, {bits} bits in totaal ({n} tekens)",
        "score_expected": "Bij “{token}”: rang {rank}, {p}, {bits} bits. Het model verwachtte:",
        "score_empty": "de kop is leeg: plak of typ er een", "score_no_second": "geen tweede model",
        "prompt": "Begintekst", "prompt_placeholder": "Het begin van een kop, bv. Today ",
        "examples": "De beginteksten uit de les",
        "decoding": "Decoderen", "greedy": "Gulzig (greedy)", "sampled": "Getrokken (sampling)",
        "temperature": "Temperatuur", "temperature_info": "onder 1 scherper, boven 1 vlakker; uit bij Gulzig",
        "length": "Lengte", "length_info": "{units}; een kop kan eerder eindigen: ⏎",
        "seed": "Seed", "seed_info": "leeg: elke klik een nieuwe seed; typ er een om een tekst te herhalen",
        "top_k": "Getoonde alternatieven",
        "generate": "Genereer",
        "generated": "Elk {unit} gekleurd naar zijn kans; klik erop voor de staven",
        "step": "Stap", "step_info": "de stap die de staven tonen; klik op een {unit} om hem te kiezen",
        "trace": "Elke stap",
        "compare_intro": "Eén begintekst, meerdere temperaturen, dezelfde seed: dezelfde toevalstrekkingen, alleen T verschilt.",
        "temperatures": "Temperaturen", "compare": "Vergelijk",
        "compare_with": "Naast", "compare_with_info": "een tweede model (tekens naast woorden): de rijen wisselen af, zelfde T en seed",
        "no_second_model": "geen tweede model", "lesson_grid": "Lesrooster (5 × 5)",
        "step_intro": "Het model stelt zijn top-k volgende {units} voor: klik er een, laat het trekken, of neem de gulzige keuze. "
        "De begintekst wordt één keer gelezen; elke keuze voert één {unit} in en neemt de toestand van het netwerk mee.",
        "samplers": "Afkappen: top-k, top-p, min-p", "sampler_top_k": "top-k (0 = uit)",
        "sampler_top_p": "top-p (1 = uit)", "sampler_min_p": "min-p (0 = uit)",
        "plain_too": "Elke temperatuur ook zonder afkappen",
        "order_start": "Volgorde: p → p^(1/1) → hernormaliseren", "order": "Volgorde: {steps}",
        "renormalise": "hernormaliseren", "order_greedy": "Gulzig: p → de waarschijnlijkste",
        "order_removed": " (lichte staven: weggelaten, getekend op de kans bij T = 1)",
        "draw": "⚄ Trek deze stap 1.000 keer", "bars_drawn": "1.000 keer getrokken",
        "draws_line": "{n} trekkingen bij {decoding}, seed {seed}: totale-variatieafstand {tv} tot de staven bij T",
        "start": "Begin", "sample": "⚄ Trek bij T", "take_greedy": "Gulzige keuze", "undo": "↶ Terug",
        "text_so_far": "Tekst tot nu toe", "proposals": "Voorstellen (kans bij T)",
        "sweep_intro": "Hoe de kansverdeling van het volgende {unit} en haar entropie veranderen als T van 0,1 naar 3 gaat.",
        "show": "Toon",
        "about": """### Wat temperatuur doet
Bij elke stap geeft het model elk mogelijk volgend teken (of woord) een kans. Vóór het trekken verheft chargen
elke kans tot de macht 1/T en schaalt ze zodat ze samen 1 zijn:

- **T onder 1 maakt scherper**: waarschijnlijke tekens worden waarschijnlijker, zeldzame verdwijnen bijna. De tekst is veilig maar herhaalt zich.
- **T = 1** trekt uit de eigen kansen van het model.
- **T boven 1 maakt vlakker**: zeldzame tekens krijgen een echte kans. De tekst wordt verrassend, daarna onzin.

**Gulzig** (greedy) decoderen neemt altijd het waarschijnlijkste teken (de limiet T → 0): geen toeval,
elke keer dezelfde tekst, en vaak een lus.

De **seed** legt de toevalstrekkingen vast: dezelfde begintekst, instellingen en seed geven dezelfde tekst.
**Entropie** (bits) meet hoe verspreid een verdeling is: 0 bits betekent zeker.
**Bits per teken** op koppen die het model nooit zag meet hoe goed het voorspelt: lager is beter.""",
        "decimal": ",", "thousands": ".",
        "unit_char": "teken", "units_char": "tekens", "unit_word": "woord", "units_word": "woorden",
        "made_by": "{model} ({kind}) · {decoding}", "made_by_seed": "{model} ({kind}) · {decoding} · seed {seed}",
        "made_by_grid": "{model} ({kind}) · seed {seed}", "copied": "gekopieerd uit de training",
        "greedy_label": "gulzig", "t_label": "T = {t}",
        "char": "teken", "word": "woord", "p_t": "kans bij T", "p_t1": "kans bij T=1", "rank": "rang",
        "entropy": "entropie (bits)", "alternatives": "top-k: kans bij T=1 → bij T (%)",
        "bars_t1": "Bij T = 1 (oranje: gekozen)", "bars_t1_step": "Stap {n} bij T = 1 (oranje: gekozen)",
        "bars_t": "Bij jouw T: waaruit getrokken werd",
        "bars_t_drawn": "Getrokken bij {decoding}", "bars_t_slider": "Bij {decoding} (de schuifregelaar)",
        "bars_t_greedy": "Gulzig: het waarschijnlijkste wordt genomen",
        "bars_t_step": "Bij jouw T: de volgende trekking",
        "probability": "kans", "token": "volgend teken of woord", "bits": "bits",
        "chosen": "gekozen", "other": "ander", "rest": "rest", "rest_kind": "de rest van de woordenschat",
        "removed": "weggelaten door afkappen", "drawn_kind": "getrokken aandeel",
        "made_by_label": "gemaakt door", "text": "tekst", "mean_entropy": "entropie (bits/stap)",
        "bits_per_step": "verrassing (bits/stap bij T=1)", "real_words": "echte woorden", "repeats": "herhaalde 4‑grammen",
        "not_available": "n.v.t.",
        "unknown_chars": "Het model kent {tokens} niet: weggelaten uit de begintekst.",
        "unknown_words": "Het model kent {tokens} niet: gelezen als onbekend woord.",
        "step_status": "Stap {n}: {made_by}.", "step_ended": " De kop is afgelopen: maak een stap ongedaan om door te gaan.",
        "sweep_probs": "Kans op de top-k volgende {units}", "sweep_entropy": "Entropie van de hele verdeling (bits)",
        "card_architecture": "Architectuur", "card_units": "{cell}, {layers} laag/lagen × {size} eenheden, {input}",
        "card_one_hot": "one-hot invoer", "card_embedding": "embedding van {n}",
        "card_vocabulary": "Woordenschat", "card_tokens": "{n} {kind}",
        "card_parameters": "Parameters", "card_data": "Trainingsdata", "card_rows": "{n} trainingsregels",
        "field_title": "koppen", "field_description": "beschrijvingen",
        "card_epochs": "Epochs", "card_time": "Trainingstijd", "card_minutes": "{m} min {s} s",
        "card_val": "Bits per {unit}, validatie", "card_test": "Bits per teken, test",
        "card_test_words": "Bits per woord, test",
        "full_card": "De hele kaart (card.json)",
        "guide_title": "Lesbrief: een les van 20 minuten over temperatuur met deze pagina",
        "guide": (DOCS / "lesgeven.md").read_text(encoding="utf-8"),
        "link": "Link hiernaar", "link_url": "Link naar deze weergave: dezelfde invoer, dezelfde tekst",
        "export_json": "⤓ JSON", "export_csv": "⤓ CSV", "export_grid_csv": "⤓ Lesrooster CSV",
        "after_epoch": "Na epoch", "after_epoch_info": "tussenstanden uit de training van het lesmodel, van ruis tot koppen",
        "epoch_trained": "getraind ({n})", "after_epoch_name": "{model} na epoch {epoch}",
        "epoch_bits": "na epoch {epoch}: {bits} bits per teken op de testkoppen ({n} epochs: {final})",
        "curve": "Hoe het lesmodel leerde: bits per teken op de testkoppen na elke epoch",
        "epoch": "epoch", "test_bits": "bits per teken (test)",
        "warning": "Let op",
        "refuse_range": "{name} moet een getal van {low} tot {high} zijn, niet {value}",
        "refuse_whole": "{name} moet een geheel getal van {low} tot {high} zijn, niet {value}",
        "refuse_number": "{name} moet een getal zijn, niet {value}",
        "refuse_positive": "de temperatuur moet een positief getal zijn, niet {value} (Gulzig is de limiet T → 0)",
        "refuse_text": "{name} moet tekst zijn, niet {type}",
        "refuse_work": "{rows} rijen van {length} tokens is meer dan één vergelijking mag vragen ({limit} tokens per "
        "model): kies minder temperaturen of een kortere lengte",
        "refuse_empty": "de begintekst is leeg: typ het begin van een kop, bv. 'Today '",
        "refuse_long": "de begintekst telt {n} tekens; de grens is {limit}",
        "refuse_text_long": "de tekst telt {n} tekens; de grens is {limit}",
        "refuse_text_unknown": "niets te scoren: het model kent geen van de {level} van de tekst",
        "refuse_unknown": "het model kent geen van de {level} van de begintekst: probeer gewone Engelse letters",
        "refuse_no_temperature": "kies minstens één temperatuur",
        "refuse_temperatures": "de temperaturen moeten een lijst van getallen of 'Greedy' zijn, niet {value}",
        "refuse_rows": "{n} temperaturen; de grens is {limit} rijen per vergelijking",
        "refuse_top_k": "top_k moet een geheel getal van 1 of meer zijn (of null: uit), niet {value}",
        "refuse_top_p": "top_p moet meer dan 0 en hoogstens 1 zijn (of null: uit), niet {value}",
        "refuse_min_p": "min_p moet minstens 0 en minder dan 1 zijn (of null: uit), niet {value}",
        "refuse_decoding": "decoderen moet 'Greedy' of 'Sampled' zijn, niet {value}",
        "refuse_stop": "stop_at_end moet true of false zijn, niet {value}",
        "refuse_model": "onbekend model {value}; kies uit {models}",
        "refuse_start_first": "druk eerst op Begin",
        "refuse_ended": "de kop is afgelopen: maak een stap ongedaan om door te gaan",
        "refuse_reserved": "{token} is gereserveerd en kan niet gekozen worden",
        "name_temperature": "de temperatuur", "name_length": "de lengte", "name_seed": "de seed",
        "name_alternatives": "het aantal alternatieven", "name_step": "de stap", "name_prompt": "de begintekst", "name_text": "de tekst",
        "name_n": "n", "name_token_id": "het token-id", "name_top_p": "top_p", "name_min_p": "min_p",
        "language": "Taal", "language_name": "Nederlands", "loading": "Het model wordt geladen…",
        "load_failed": "kon het model niet laden ({error}): controleer de verbinding en laad de pagina opnieuw",
        "browser_note": "Browserversie: het model draait op dit apparaat en werkt offline verder zodra het geladen is.",
        "browser_link": "Een grote klas? [Open de browserversie](browser/): die draait op het apparaat van elke leerling.",
    },
}


def for_level(words: dict, level: str) -> dict:
    """``words`` with ``{unit}`` / ``{units}`` filled in for a character or word model."""
    unit, units = words[f"unit_{level}"], words[f"units_{level}"]
    return {key: text.replace("{unit}", unit).replace("{units}", units) for key, text in words.items()}


i18n = gr.I18n(**{language: for_level(words, "char") for language, words in LABELS.items()})  # translated in the browser


def language(request: gr.Request | None) -> str:
    """The browser's first language we have labels for ("en" otherwise)."""
    accepted = request.headers.get("accept-language", "") if request else ""
    for tag in accepted.split(","):
        code = tag.split(";")[0].strip()[:2].lower()
        if code in LABELS:
            return code
    return "en"


def labels(request: gr.Request | None, level: str = "char") -> dict:
    """The labels for text the server writes, in the browser's language."""
    return for_level(LABELS[language(request)], level)


def number(value: float, words: dict, digits: int = 0) -> str:
    """``value`` with the language's separators: 10,797.5 in English, 10.797,5 in Dutch."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", words["decimal"]).replace("\0", words["thousands"])


def percent(p: float, words: dict, digits: int = 1) -> str:
    return number(100 * p, words, digits) + "%"


def setting(value: float, words: dict) -> str:
    """A setting (T, top-p) with as few decimals as it needs, in the language's decimal sign: 0.8, 0,8."""
    return f"{round(value, 4):g}".replace(".", words["decimal"])  # round: a slider's 0.8500000000000001


def temperature_label(temperature: float | None, words: dict) -> str:
    """"greedy", or "T = 0.8"."""
    if temperature is None:
        return words["greedy_label"]
    return words["t_label"].format(t=setting(temperature, words))


def sampler_steps(truncation: dict | None, words: dict) -> list[str]:
    """The samplers that are on, in the core's order: ["top-k 20", "top-p 0.9"]."""
    return [f"{name.replace('_', '-')} {setting(value, words)}" for name, value in (truncation or {}).items()
            if value is not None]


def made_by_copied(gen, out, words: dict) -> str:
    """``made_by`` for a generation, marked when its finished title is one of the model's training titles."""
    truncation = dict(top_k=out.top_k, top_p=out.top_p, min_p=out.min_p)
    made = made_by(gen.name, gen.vocab.level, out.temperature, out.seed, words, truncation)
    return f"{made} · {words['copied']}" if gen.copied(out) else made


def made_by(model: str, level: str, temperature: float | None, seed: int | None, words: dict,
            truncation: dict | None = None) -> str:
    """What made a result: model, its level, greedy or T and the samplers, and the seed when there was one
    to draw with (the facts of the core's Generation.label, in the reader's language)."""
    decoding = " · ".join([temperature_label(temperature, words),
                           *(sampler_steps(truncation, words) if temperature is not None else [])])
    kind, model = words[f"units_{level}"], model_name(model, words)
    if temperature is None or seed is None:
        return words["made_by"].format(model=model, kind=kind, decoding=decoding)
    return words["made_by_seed"].format(model=model, kind=kind, decoding=decoding, seed=seed)


def snapshot_of(name: str) -> tuple[str, int] | None:
    """(model, epoch) of a snapshot's name; None for any other name."""
    model, mark, epoch = str(name).rpartition("@")
    return (model, int(epoch)) if mark and epoch.isdigit() else None


def model_name(name: str, words: dict) -> str:
    """A model as a result names it: a snapshot by its model and epoch ("lesson after epoch 8")."""
    snapshot = snapshot_of(name)
    return words["after_epoch_name"].format(model=snapshot[0], epoch=snapshot[1]) if snapshot else name
