"""The named API endpoints: JSON results, seeded, through the same checks as the page."""
from .common import (
    DEFAULT_MODEL, GREEDY, LESSON_TEMPERATURES, SAMPLED, api_errors, decode, generation_record, lesson_grid_rows,
    row_stats, side_by_side,
)


def generate(
    prompt: str, temperature: float = 1.0, length: int = 100, decoding: str = SAMPLED,
    seed: int | None = 0, alternatives: int = 5, model: str = DEFAULT_MODEL, stop_at_end: bool = True,
    top_k: int | None = None, top_p: float | None = None, min_p: float | None = None,
) -> dict:
    """Continue `prompt`. Returns the text (without the prompt) and every step: token, probability
    in the distribution drawn from and at T=1, rank, entropy (bits) and the most probable alternatives
    [token, id, p at T=1, p drawn from, removed by truncation]. decoding is "Greedy" or "Sampled"; seed
    None draws one (returned); stop_at_end=False goes on past the end of the headline to the full
    length; top_k, top_p, min_p truncate the distribution sampled from (null: off). The same inputs
    and seed give the same result; label says how it was made."""
    with api_errors("generate"):
        out = decode(prompt, temperature, length, decoding, seed, alternatives, model, stop_at_end,
                     dict(top_k=top_k, top_p=top_p, min_p=min_p))
    return generation_record(model, out)


def compare(
    prompt: str, temperatures: list[float | str | None] = [GREEDY, *LESSON_TEMPERATURES],  # noqa: B006 (never mutated)
    length: int = 100, seed: int | None = 0, model: str = DEFAULT_MODEL, with_model: str | None = None,
    top_k: int | None = None, top_p: float | None = None, min_p: float | None = None,
) -> dict:
    """One generation per temperature ("Greedy" or null for greedy), all with the same seed; per row the
    model, the text and its statistics (entropy per step of the distribution drawn from, 0 for greedy;
    log-likelihood and bits per step at T = 1; real-word share, null for a word model or without a word
    list; repeated 4-grams). seed None draws one (returned). with_model: a second model whose row follows each
    of model's rows. top_k, top_p, min_p truncate every row's distribution (null: off)."""
    with api_errors("compare"):
        rows = side_by_side(prompt, temperatures, length, seed, model, with_model,
                            dict(top_k=top_k, top_p=top_p, min_p=min_p))
        return {"model": model, "with_model": with_model, "prompt": prompt, "seed": rows[0][1].seed,  # None: drawn
                "rows": [{"model": name, **row_stats(out, name), "text": out.text} for name, out in rows]}


def lesson_grid(length: int = 100, seed: int | None = 0, model: str = DEFAULT_MODEL) -> dict:
    """The lesson's 5 prompts x 5 temperatures (0.3, 0.8, 1.0, 1.3, 1.8) with one seed (None draws one, returned):
    {"model": model, "seed": seed, "grid": {prompt: {"T=0.3": text, ...}}}."""
    with api_errors("lesson_grid"):
        return lesson_grid_rows(length, seed, model)
