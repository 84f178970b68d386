"""Choose the word vocabulary's size by measured validation bits.

    python weights/word_sweep.py --data ../shared/data/ag_news/train_subset.csv.gz --out /work/runs/word_sweep

For each vocabulary size, one small probe (the shipped word model's cell, titles only,
a few epochs: minutes, not hours) is trained with ``python -m chargen train --level word``;
then its open-vocabulary bits per title are measured on the run's own validation titles
(the test titles are never looked at). Sizes change what ``<unk>`` covers, so bits per word
would not compare; bits per title, with out-of-vocabulary words spelled out, do.

Casing: a ``lower`` probe learns lower-cased titles (normalization ``clean-lower``), so a
vocabulary of the same size covers more words. Its evaluation also charges each title the
bits to restore its case with the vocabulary's case model (``chargen.vocab.CaseModel``):
lower-cased bits plus case bits are what a two-part code of the cased title costs, so the
two casings compare.
Writes ``sweep.json`` and ``sweep.md`` in --out.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import chargen  # noqa: E402
from chargen.data import card_split, field_texts  # noqa: E402
from chargen.evaluate import evaluate_texts  # noqa: E402

PROBE = ["--level", "word", "--fields", "title", "--units", "256",
         "--embedding", "64", "--dropout", "0.25", "--max-len", "60", "--patience", "2", "--seed", "0"]
NORMALIZATION = {"cased": "clean", "lower": "clean-lower"}


def probe(data: str, out: Path, size: int, epochs: int, casing: str) -> dict:
    run = out / (f"vocab{size}" + ("" if casing == "cased" else f"-{casing}"))
    if not (run / "card.json").exists():
        started = time.time()
        subprocess.run([sys.executable, "-m", "chargen", "train", "--data", data, "--out", str(run),
                        "--epochs", str(epochs), "--vocab-size", str(size), *PROBE,
                        "--normalization", NORMALIZATION[casing]],
                       check=True, stdout=subprocess.DEVNULL)
        print(f"vocabulary {size}, {casing}: trained in {time.time() - started:.0f} s", flush=True)
    gen = chargen.load(run)
    _, val_rows = card_split(gen.card.data)
    titles = field_texts(val_rows, ("title",))
    tokens = [gen.vocab.tokenize(gen.vocab.normalize(t)) for t in titles]
    covered = sum(tok in gen.vocab.index for title in tokens for tok in title) / sum(map(len, tokens))
    measured = evaluate_texts(gen, titles)  # a lower-cased probe pays there for restoring the case
    return {"vocab_size": size, "casing": casing, "epochs": gen.card.epochs, "parameters": gen.card.parameters,
            "val_bits_per_word": gen.card.validation.bits_per_token, "val_coverage": round(covered, 4),
            **{f"val_{k}": v for k, v in measured.items() if k in ("bits_per_title", "case_bits_per_title", "bpc")}}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--sizes", default="1000,2000,4000,6000,9000")
    parser.add_argument("--casings", default="cased", help="cased, lower, or both: cased,lower")
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = [probe(args.data, args.out, int(size), args.epochs, casing)
            for casing in args.casings.split(",") for size in args.sizes.split(",")]
    (args.out / "sweep.json").write_text(json.dumps(rows, indent=1))
    lines = ["| Vocabulary | Casing | Parameters | Validation coverage | Bits per word (closed) | Case bits per title | "
             "Bits per title (open, with case) | Bits per char |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r['vocab_size']:,} | {r['casing']} | {r['parameters']:,} | {r['val_coverage']:.1%} | {r['val_bits_per_word']:.3f} | "
              f"{r['val_case_bits_per_title']:.1f} | {r['val_bits_per_title']:.1f} | {r['val_bpc']:.3f} |" for r in rows]
    (args.out / "sweep.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
