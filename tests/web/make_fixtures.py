"""Fixtures for the JavaScript decoder's parity tests (``node --test tests/web``), written by the Python core.

    python tests/web/make_fixtures.py OUT     # then: CHARGEN_WEB_FIXTURES=OUT node --test tests/web

OUT gets every shipped model exported for the browser (``python -m chargen export-web --all``), and JSON
files of what Python decodes: generations with every step (600 cases over every model, lesson snapshots
included), comparisons, steppers, whole distributions, draws, the noise itself, refusals' messages,
and the ids of every AG News test title under each vocabulary (where the data is beside the project).
"""
from __future__ import annotations

import dataclasses
import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import chargen  # noqa: E402
from chargen.data import field_texts, read_csv  # noqa: E402
from chargen.decode import random_stream  # noqa: E402
from chargen.web_export import exponential_ziggurat  # noqa: E402
from tests.conftest import make_bundle  # noqa: E402

TEST_TITLES = ROOT.parent / "shared" / "data" / "ag_news" / "test.csv.gz"
FIXED_PROMPTS = ["Today ", "On Sunday ", "Moscow, ", "President ", "Little red riding hood ", "", "U.S. ", "Oil",
                 "Caf\u00e9 owner\u2019s ", "  spaced   out  ", "Today #39;s &lt;b&gt;news&lt;/b&gt; ", "\\$5 for ",
                 "Zzyzx qwv ", "IBM, Intel and ", "Red Sox (AP) - ", "\u00a1Hola! \u65e5\u672c ", "&amp; &eacute;t&eacute; &#8217;",
                 "'quoted' words ", "Wal-Mart's U.K. ", "1.88 percent "]
SAMPLERS = [{}, {}, {}, {"top_k": 3}, {"top_k": 10}, {"top_p": 0.9}, {"top_p": 0.5}, {"min_p": 0.05}, {"min_p": 0.1},
            {"top_k": 20, "top_p": 0.8, "min_p": 0.02}]
TEMPERATURES = [None, 0.3, 0.8, 1.0, 1.0, 1.3, 1.8, 0.5, 2.5]
CASES = {"lesson": 150, "default": 150, "words": 100}  # the snapshots take 350 more between them, the GRUs 100
# GRU cells (no shipped model has one), with random weights: two layers over an embedding of words, one over characters.
GRU_BUNDLES = {"gru-words": dict(level="word", cell="gru", layers=2, units=8, embedding=6, dropout=0.25,
                                 normalization="clean-lower"),
               "gru-chars": dict(level="char", cell="gru", layers=1, units=16, normalization="clean")}
LENGTHS = {"char": 40, "word": 20}
NAMED = {"top_k": "topK", "top_p": "topP", "min_p": "minP", "stop_at_end": "stopAtEnd"}


def options(settings: dict) -> dict:
    """Python's keyword arguments as the JavaScript API names them (a seed past 2**53 as text: JSON numbers are doubles)."""
    return {NAMED.get(name, name): str(value) if name == "seed" and isinstance(value, int) and value >= 2**53 else value
            for name, value in settings.items()}


def step_record(step) -> dict:
    return {"id": step.id, "token": step.token, "text": step.text, "prob": step.prob, "probT1": step.prob_t1,
            "rank": step.rank, "entropy": step.entropy, "entropyT1": step.entropy_t1, "end": step.end,
            "top": [[a.id, a.p_t1, a.p, a.removed] for a in step.top]}


def generation_record(out) -> dict:
    return {"text": out.text, "seed": str(out.seed), "ended": out.ended, "label": out.label, "unknown": out.unknown,
            "steps": [step_record(s) for s in out.steps]}


def test_titles() -> list[str]:
    return field_texts(read_csv(TEST_TITLES)) if TEST_TITLES.exists() else []


def prompts_for(titles: list[str], rng: random.Random, n: int) -> list[str]:
    """The fixed prompts, then real test titles: whole, or cut after a few words."""
    chosen = list(FIXED_PROMPTS)
    while len(chosen) < n:
        title = rng.choice(titles) if titles else rng.choice(FIXED_PROMPTS) + str(len(chosen))
        words = title.split(" ")
        chosen.append(title if rng.random() < 0.3 else " ".join(words[: rng.randint(1, max(1, len(words) - 1))]) + " ")
    return chosen[:n]


def cases_for(name: str, gen, titles, rng: random.Random, n: int) -> list[dict]:
    out = []
    for prompt in prompts_for(titles, rng, max(n, 50)):
        t = rng.choice(TEMPERATURES)
        settings = {"length": LENGTHS[gen.vocab.level], "seed": rng.choice([rng.randrange(2**32), rng.randrange(100),
                                                                              rng.randrange(2**62)])}
        if t is None:
            settings["greedy"] = True
        else:
            settings |= {"temperature": t, **rng.choice(SAMPLERS)}
        if rng.random() < 0.1:
            settings["stop_at_end"] = False
        generation = gen.generate(prompt, **settings)
        record = generation_record(generation)
        distributions = {}
        if generation.steps and (len(gen.vocab) < 1000 or len(out) % 20 == 0):  # a step's whole distribution, at its
            # own setting and at another (a word vocabulary's, 12,000 wide, for one case in 20)
            i = rng.randrange(len(generation.steps))
            own, other = generation.distribution(i), generation.distribution(i, temperature=0.6, top_p=0.95)
            distributions = {"step": i, "own": {"pT1": own.p_t1.tolist(), "p": own.p.tolist()},
                             "other": {"settings": {"temperature": 0.6, "topP": 0.95}, "p": other.p.tolist()}}
        out.append({"model": name, "prompt": prompt, "options": options(settings), **record,
                    "distribution": distributions})
    return out


def noise_records() -> list[dict]:
    records = []
    for seed, key in [(0, (1,)), (1, (1, 60, 61)), (2**32 + 5, (1, 4000, 11999)), (2**63 - 1, tuple(range(1, 30))),
                      (123456789, ())]:
        seq = np.random.SeedSequence(seed, spawn_key=key)
        raw = np.random.PCG64(seq).random_raw(4)
        rng = random_stream(seed, key) if key else np.random.default_rng(seed)
        exponentials = rng.standard_exponential(20_000)
        records.append({"seed": str(seed), "spawnKey": list(key), "state": seq.generate_state(8).tolist(),
                        "raw": [f"{int(x):016x}" for x in raw], "exponential": exponentials.tolist(),
                        "gumbel32": (-np.log(exponentials)).astype(np.float32).tolist()})
    return records


def compare_records(gens: dict) -> list[dict]:
    records = []
    for name, prompt, temperatures, settings in [
            ("lesson", "Moscow, ", [None, 0.3, 0.8, 1.0, 1.3, 1.8], {"seed": 0}),
            ("default", "Today ", [None, 0.3, 0.8, 1.0, 1.3, 1.8], {"seed": 7, "length": 60}),
            ("default", "On Sunday ", [1.0, 0.5, 2.0], {"seed": 3, "top_p": 0.9, "length": 50}),
            ("words", "Oil prices ", [None, 0.8, 1.5], {"seed": 11, "length": 15}),
            ("lesson@8", "President ", [0.3, 1.0, 1.8], {"seed": 5, "min_p": 0.05})]:
        rows = gens[name].compare(prompt, temperatures, **settings)
        records.append({"model": name, "prompt": prompt, "temperatures": temperatures, "options": options(settings),
                        "rows": [generation_record(row) for row in rows]})
    return records


def stepper_records(gens: dict) -> list[dict]:
    """Actions on a stepper and what each gave: sampling every step with one seed writes generate's text."""
    records = []
    for name, prompt, seed, settings in [("default", "Today ", 4, {"temperature": 0.8}), ("lesson", "Oil ", 9,
                                         {"temperature": 1.2, "top_k": 5}), ("words", "Stocks ", 2, {"temperature": 0.9})]:
        stepper = gens[name].start(prompt)
        actions = []
        proposals = [[a.id, a.p_t1, a.p, a.removed] for a in stepper.proposals(**settings)]
        actions.append({"do": "proposals", "settings": options(settings), "result": proposals})
        for n in range(12):
            step = stepper.sample(seed=seed, **settings)
            actions.append({"do": "sample", "settings": options({**settings, "seed": seed}), "result": step_record(step)})
            if step.end:
                break
        stepper.undo()
        actions.append({"do": "undo", "text": stepper.text})
        step = stepper.greedy()
        actions.append({"do": "greedy", "result": step_record(step)})
        chosen = stepper.proposals(k=3)[-1].id
        if not stepper.ended:
            actions.append({"do": "choose", "id": chosen, "result": step_record(stepper.choose(chosen))})
        records.append({"model": name, "prompt": prompt, "actions": actions, "text": stepper.text})
    return records


def draw_records(gens: dict) -> list[dict]:
    records = []
    for name, seed in [("default", 0), ("lesson", 12), ("words", 99)]:
        distribution = gens[name].generate("The ", temperature=0.7, seed=1, length=3).distribution(2)
        draws = distribution.sample(1000, seed=seed)
        records.append({"model": name, "seed": seed, "n": 1000, "counts": draws.counts.tolist(), "tv": draws.tv})
    return records


REFUSALS = [
    ("generate", ["Today "], {"temperature": 0}), ("generate", ["Today "], {"temperature": -1.5}),
    ("generate", ["Today "], {"temperature": "hot"}), ("generate", ["Today "], {"temperature": None}),
    ("generate", ["Today "], {"length": -1}), ("generate", ["Today "], {"length": 2.5}),
    ("generate", ["Today "], {"length": "ten"}), ("generate", ["Today "], {"length": 5001}),
    ("generate", ["Today "], {"seed": -3}), ("generate", ["Today "], {"seed": 1.5}),
    ("generate", ["Today "], {"top_k": 0}), ("generate", ["Today "], {"top_k": "three"}), ("generate", ["Today "], {"top_p": 1.5}),
    ("generate", ["Today "], {"top_p": 0}), ("generate", ["Today "], {"min_p": 1}), ("generate", ["Today "], {"min_p": "0,1"}),
    ("generate", ["Today "], {"alternatives": 10001}), ("generate", ["Today "], {"stop_at_end": "yes"}),
    ("generate", ["Today "], {"temperature": "0,8"}), ("generate", ["Today "], {"seed": "12x"}), ("generate", [5], {}), ("generate", ["x" * 2001], {}),
    ("compare", ["Today ", []], {}), ("compare", ["Today ", "0.5"], {}), ("compare", ["Today ", [0.5] * 33], {}),
    ("compare", ["Today ", [0.5, -1]], {}),
]


def refusal_records(gen) -> list[dict]:
    records = []
    for call, args, settings in REFUSALS:
        try:
            getattr(gen, call)(*args, **settings)
        except chargen.ChargenError as error:
            records.append({"call": call, "args": args, "options": options(settings), "message": str(error),
                            "key": error.key})
        else:
            raise AssertionError(f"{call}{args}{settings} was not refused")
    limits = chargen.Limits(length=(1, 500), temperature=(0.1, 3.0), prompt_needed=True, max_tokens=600)
    for args, settings in [(["Today "], {"temperature": 3.5}), (["   "], {}), (["\u65e5\u672c"], {}),
                           (["Today "], {"length": 501})]:
        try:
            gen.generate(*args, **settings, limits=limits)
        except chargen.ChargenError as error:
            records.append({"call": "generate", "args": args, "options": options(settings), "message": str(error),
                            "key": error.key, "limits": {"length": [1, 500], "temperature": [0.1, 3.0],
                                                          "promptNeeded": True, "maxTokens": 600}})
    return records


def limit_records() -> dict:
    """The Python API's limits, which web/chargen.mjs mirrors (a seed's as text: it passes 2**53)."""
    limits = dataclasses.asdict(chargen.Limits())
    return {"length": list(limits["length"]), "alternatives": list(limits["alternatives"]), "temperature": limits["temperature"],
            "maxSeed": str(limits["max_seed"]), "maxPromptChars": limits["max_prompt_chars"],
            "promptNeeded": limits["prompt_needed"], "maxRows": limits["max_rows"], "maxTokens": limits["max_tokens"],
            "maxDraws": chargen.sampling.MAX_DRAWS}


def encode_records(gens: dict, titles: list[str]) -> dict:
    """Each vocabulary's ids, prompt text and decoded text for the test titles (and the fixed prompts)."""
    out = {}
    for name in ("default", "lesson", "words"):
        vocab = gens[name].vocab
        texts = FIXED_PROMPTS + titles
        ids = [vocab.encode_prompt(text) for text in texts]
        out[name] = {"texts": texts, "ids": [i for i, _ in ids], "unknown": [u for _, u in ids],
                     "display": [vocab.display(text) for text in texts],
                     "decoded": [vocab.decode(i) for i, _ in ids[: len(FIXED_PROMPTS) + 200]]}
    return out


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "chargen", "export-web", "--all", str(out / "models")], check=True)
    for name, settings in GRU_BUNDLES.items():
        make_bundle(out / "bundles" / name, **settings)
        subprocess.run([sys.executable, "-m", "chargen", "export-web", str(out / "bundles" / name), str(out / "models" / name)],
                       check=True)
    names = [p.name for p in sorted((out / "models").iterdir())]
    gens = {}
    for name in names:
        base, _, epoch = name.partition("@")
        gens[name] = chargen.load(dict(chargen.progress(base))[int(epoch)] if epoch else
                                  out / "bundles" / name if name in GRU_BUNDLES else name)
        gens[name].name = name
    titles = test_titles()
    rng = random.Random(0)
    cases = []
    for name in names:
        n = CASES.get(name, 50)
        cases += cases_for(name, gens[name], titles, rng, n)
    files = {"cases": cases, "compare": compare_records(gens), "steppers": stepper_records(gens),
             "draws": draw_records(gens), "noise": noise_records(), "refusals": refusal_records(gens["default"]),
             "encode": encode_records(gens, titles), "ziggurat": exponential_ziggurat(), "limits": limit_records(),
             "meta": {"models": names, "titles": len(titles)}}
    for name, data in files.items():
        (out / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {len(cases)} cases over {len(names)} models, {len(titles):,} test titles, into {out}")


if __name__ == "__main__":
    main(sys.argv[1])
