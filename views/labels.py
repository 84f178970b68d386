"""The page's words in English and Dutch: labels the browser translates (``i18n``) and text the server writes (``labels``)."""
import gradio as gr

LABELS = {
    "en": {
        "title": "# chargen: what temperature does to generated text",
        "intro": "A small recurrent network trained on news headlines writes one character at a time. "
        "**Temperature T** reshapes its probabilities before each draw: low T sharpens them (safe, repetitive text), "
        "high T flattens them (surprising, then garbled text). **Greedy** always takes the most probable character.",
        "model": "Model",
        "tab_generate": "Generate", "tab_compare": "Compare", "tab_step": "Step through",
        "tab_sweep": "Temperature sweep", "tab_about": "About the model",
        "prompt": "Prompt", "prompt_placeholder": "The start of a headline, e.g. Today ",
        "examples": "The lesson's prompts",
        "decoding": "Decoding", "greedy": "Greedy", "sampled": "Sampled",
        "temperature": "Temperature", "temperature_info": "below 1 sharpens, above 1 flattens; inactive under Greedy",
        "length": "Length", "length_info": "characters (words for a word model); a headline may end sooner: ⏎",
        "seed": "Seed", "dice": "⚄ New seed", "top_k": "Top-k alternatives",
        "generate": "Generate",
        "generated": "Generated text, coloured by the probability of each chosen character (click one)",
        "step": "Step", "step_info": "the step the bars show; click a character to pick it",
        "trace": "Every step",
        "compare_intro": "One prompt, several temperatures, the same seed: the same random draws, only T differs.",
        "temperatures": "Temperatures", "compare": "Compare",
        "compare_with": "Side by side with", "compare_with_info": "a second model (characters beside words): rows alternate, same T and seed",
        "no_second_model": "no second model", "lesson_grid": "Lesson grid: 5 prompts × 5 temperatures",
        "comparison": "Comparison", "grid": "Lesson grid",
        "step_intro": "The model proposes its top-k next characters: click one, let it sample, or take the greedy one. "
        "The prompt is read once; each choice feeds one character and carries the network's state forward.",
        "start": "Start", "sample": "⚄ Sample at T", "take_greedy": "Take the greedy one", "undo": "↶ Undo",
        "text_so_far": "Text so far", "proposals": "Proposals (probability at T)",
        "sweep_intro": "How the next-character distribution after the prompt and its entropy change as T goes from 0.1 to 3.",
        "show": "Show",
        "about": """### What temperature does
At every step the model gives each possible next character a probability. Before drawing one,
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
        "char": "character", "word": "word", "p_t": "p at T", "p_t1": "p at T=1", "rank": "rank",
        "entropy": "entropy (bits)", "alternatives": "top-k: p at T=1 → p at T (%)",
        "bars_t1": "At T = 1: the model's own probabilities",
        "bars_t": "At the chosen T: what was drawn from (greedy: all on the tallest bar)",
        "probability": "probability", "token": "next character or word", "this_step": "this step", "bits": "bits",
        "chosen": "chosen", "other": "other",
        "decoding_label": "decoding", "text": "text", "mean_entropy": "entropy (bits/step)",
        "log_likelihood": "log-likelihood (bits)", "real_words": "real words", "repeats": "repeated 4-grams",
        "not_available": "n/a",
        "unknown_chars": "The model does not know {tokens}: left out of the prompt.",
        "unknown_words": "The model does not know {tokens}: read as an unknown word.",
        "step_status": "Step {n}. The prompt was read once; each choice fed one token and carried the state forward.",
        "step_ended": " The headline has ended: undo to go on.", "start_first": "Press Start first.",
        "sweep_probs": "Probability of the top-k next characters", "sweep_entropy": "Entropy of the whole distribution (bits)",
        "card_architecture": "Architecture", "card_units": "{cell}, {layers} layer(s) × {units} units, {input}",
        "card_one_hot": "one-hot input", "card_embedding": "embedding of {n}",
        "card_vocabulary": "Vocabulary", "card_tokens": "{level} level, {n} tokens",
        "card_parameters": "Parameters", "card_data": "Training data", "card_rows": "{n} training rows",
        "card_epochs": "Epochs", "card_time": "Training time", "card_minutes": "{m} min {s} s",
        "card_val": "Bits per character, validation", "card_test": "Bits per character, test",
        "full_card": "The whole card (card.json)",
    },
    "nl": {
        "title": "# chargen: wat temperatuur doet met gegenereerde tekst",
        "intro": "Een klein recurrent netwerk, getraind op nieuwskoppen, schrijft één teken tegelijk. "
        "**Temperatuur T** vervormt zijn kansen vóór elke trekking: een lage T maakt ze scherper (veilige, herhalende tekst), "
        "een hoge T maakt ze vlakker (verrassende, daarna onzinnige tekst). **Gulzig** neemt altijd het waarschijnlijkste teken.",
        "model": "Model",
        "tab_generate": "Genereren", "tab_compare": "Vergelijken", "tab_step": "Stap voor stap",
        "tab_sweep": "Temperatuurverloop", "tab_about": "Over het model",
        "prompt": "Begintekst", "prompt_placeholder": "Het begin van een kop, bv. Today ",
        "examples": "De begintekst uit de les",
        "decoding": "Decoderen", "greedy": "Gulzig (greedy)", "sampled": "Getrokken (sampling)",
        "temperature": "Temperatuur", "temperature_info": "onder 1 scherper, boven 1 vlakker; uit bij Gulzig",
        "length": "Lengte", "length_info": "tekens (woorden bij een woordmodel); een kop kan eerder eindigen: ⏎",
        "seed": "Seed", "dice": "⚄ Nieuwe seed", "top_k": "Top-k alternatieven",
        "generate": "Genereer",
        "generated": "Gegenereerde tekst, gekleurd naar de kans van elk gekozen teken (klik erop)",
        "step": "Stap", "step_info": "de stap die de staven tonen; klik op een teken om hem te kiezen",
        "trace": "Elke stap",
        "compare_intro": "Eén begintekst, meerdere temperaturen, dezelfde seed: dezelfde toevalstrekkingen, alleen T verschilt.",
        "temperatures": "Temperaturen", "compare": "Vergelijk",
        "compare_with": "Naast", "compare_with_info": "een tweede model (tekens naast woorden): de rijen wisselen af, zelfde T en seed",
        "no_second_model": "geen tweede model", "lesson_grid": "Lesrooster: 5 beginteksten × 5 temperaturen",
        "comparison": "Vergelijking", "grid": "Lesrooster",
        "step_intro": "Het model stelt zijn top-k volgende tekens voor: klik er een, laat het trekken, of neem de gulzige keuze. "
        "De begintekst wordt één keer gelezen; elke keuze voert één teken in en neemt de toestand van het netwerk mee.",
        "start": "Begin", "sample": "⚄ Trek bij T", "take_greedy": "Neem de gulzige keuze", "undo": "↶ Ongedaan maken",
        "text_so_far": "Tekst tot nu toe", "proposals": "Voorstellen (kans bij T)",
        "sweep_intro": "Hoe de kansverdeling van het volgende teken en haar entropie veranderen als T van 0,1 naar 3 gaat.",
        "show": "Toon",
        "about": """### Wat temperatuur doet
Bij elke stap geeft het model elk mogelijk volgend teken een kans. Vóór het trekken verheft chargen
elke kans tot de macht 1/T en schaalt ze zodat ze samen 1 zijn:

- **T onder 1 maakt scherper**: waarschijnlijke tekens worden waarschijnlijker, zeldzame verdwijnen bijna. De tekst is veilig maar herhaalt zich.
- **T = 1** trekt uit de eigen kansen van het model.
- **T boven 1 maakt vlakker**: zeldzame tekens krijgen een echte kans. De tekst wordt verrassend, daarna onzin.

**Gulzig** (greedy) decoderen neemt altijd het waarschijnlijkste teken (de limiet T → 0): geen toeval,
elke keer dezelfde tekst, en vaak een lus.

De **seed** legt de toevalstrekkingen vast: dezelfde begintekst, instellingen en seed geven dezelfde tekst.
**Entropie** (bits) meet hoe verspreid een verdeling is: 0 bits betekent zeker.
**Bits per teken** op koppen die het model nooit zag meet hoe goed het voorspelt: lager is beter.""",
        "char": "teken", "word": "woord", "p_t": "kans bij T", "p_t1": "kans bij T=1", "rank": "rang",
        "entropy": "entropie (bits)", "alternatives": "top-k: kans bij T=1 → bij T (%)",
        "bars_t1": "Bij T = 1: de eigen kansen van het model",
        "bars_t": "Bij de gekozen T: waaruit getrokken werd (gulzig: alles op de hoogste staaf)",
        "probability": "kans", "token": "volgend teken of woord", "this_step": "deze stap", "bits": "bits",
        "chosen": "gekozen", "other": "ander",
        "decoding_label": "decoderen", "text": "tekst", "mean_entropy": "entropie (bits/stap)",
        "log_likelihood": "log-likelihood (bits)", "real_words": "echte woorden", "repeats": "herhaalde 4-grammen",
        "not_available": "n.v.t.",
        "unknown_chars": "Het model kent {tokens} niet: weggelaten uit de begintekst.",
        "unknown_words": "Het model kent {tokens} niet: gelezen als onbekend woord.",
        "step_status": "Stap {n}. De begintekst werd één keer gelezen; elke keuze voerde één token in en nam de toestand mee.",
        "step_ended": " De kop is afgelopen: maak een stap ongedaan om door te gaan.", "start_first": "Druk eerst op Begin.",
        "sweep_probs": "Kans op de top-k volgende tekens", "sweep_entropy": "Entropie van de hele verdeling (bits)",
        "card_architecture": "Architectuur", "card_units": "{cell}, {layers} laag/lagen × {units} eenheden, {input}",
        "card_one_hot": "one-hot invoer", "card_embedding": "embedding van {n}",
        "card_vocabulary": "Vocabulaire", "card_tokens": "niveau {level}, {n} tokens",
        "card_parameters": "Parameters", "card_data": "Trainingsdata", "card_rows": "{n} trainingsregels",
        "card_epochs": "Epochs", "card_time": "Trainingstijd", "card_minutes": "{m} min {s} s",
        "card_val": "Bits per teken, validatie", "card_test": "Bits per teken, test",
        "full_card": "De hele kaart (card.json)",
    },
}
i18n = gr.I18n(**LABELS)  # the page's own labels, translated in the browser from its language


def labels(request: gr.Request | None) -> dict:
    """The labels for text the server writes, in the browser's first language we have."""
    accepted = request.headers.get("accept-language", "") if request else ""
    for tag in accepted.split(","):
        language = tag.split(";")[0].strip()[:2].lower()
        if language in LABELS:
            return LABELS[language]
    return LABELS["en"]
