"""The lesson's recipe reproduced (chargen.lesson), scored with chargen's convention.

Trains on the titles of every row of the training CSV (no validation split: the
lesson had none), in file order, batch 8, one-hot, Masking + LSTM(128), RMSprop;
the lesson fits 1 epoch then 3 more. At each checkpoint epoch it prints a table row
of bits per character and per title on the test titles (first character given,
end predicted) and saves the model.

    nice -n 10 python benchmarks/lesson_recipe.py --out /work/runs/lesson_recipe --checkpoints 1,4,10,20,30
    ... --resume    goes on from the last checkpoint saved in --out (titles come in file order
                    and the model has no dropout, so the result is the one an unbroken run gives)
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402

from chargen.data import field_texts, read_source  # noqa: E402
from chargen.lesson import lesson_bits, lesson_dataset, lesson_model  # noqa: E402
from chargen.vocab import CharVocab  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "ag_news"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", default=str(DATA / "train_subset.csv.gz"))
    p.add_argument("--test", default=str(DATA / "test.csv.gz"))
    p.add_argument("--out", required=True, help="directory for the checkpoint models and results.json")
    p.add_argument("--checkpoints", default="1,4", help="epochs at which to score and save (default: the lesson's 1 and 4)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume", action="store_true", help="go on from the last checkpoint saved in --out")
    args = p.parse_args(argv)
    checkpoints = sorted(int(e) for e in args.checkpoints.split(","))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    keras.utils.set_random_seed(args.seed)
    titles = field_texts(read_source(args.train))
    test_titles = field_texts(read_source(args.test, split="test"))
    vocab = CharVocab.build(titles)
    vocab.save(out / "vocab.json")
    model = lesson_model(len(vocab))
    dataset = lesson_dataset(vocab, titles)
    print(f"{len(titles):,} training titles, {len(test_titles):,} test titles, vocabulary {len(vocab)} characters, "
          f"{model.count_params():,} parameters", flush=True)
    print("| epochs | training s | test bits/char | bits/title | predictions/title |", flush=True)
    print("|---:|---:|---:|---:|---:|", flush=True)

    rows, seconds, done = [], 0.0, 0
    if args.resume and (out / "results.json").exists():
        rows = json.loads((out / "results.json").read_text())["rows"]
        done, seconds = rows[-1]["epochs"], rows[-1]["training_seconds"]
        model = keras.models.load_model(out / f"epoch_{done:02d}.keras")  # with its optimizer state
        print(f"resuming after epoch {done}", flush=True)
    for epoch in (e for e in checkpoints if e > done):
        started = time.time()
        # shuffle=False only silences Keras: a tf.data pipeline is never reshuffled by fit.
        model.fit(dataset, initial_epoch=done, epochs=epoch, shuffle=False, verbose=0)
        seconds += time.time() - started
        done = epoch
        model.save(out / f"epoch_{epoch:02d}.keras")
        row = {"epochs": epoch, "training_seconds": round(seconds, 1), **lesson_bits(model, vocab, test_titles)}
        rows.append(row)
        print(f"| {epoch} | {seconds:,.0f} | {row['bpc']:.3f} | {row['bits_per_title']:.1f} | "
              f"{row['predictions_per_title']:.1f} |", flush=True)
        (out / "results.json").write_text(json.dumps({
            "recipe": "chargen.lesson: batch 8, pre-padded one-hot via py_function, Masking+LSTM(128)+Dense, "
                      "categorical_crossentropy, rmsprop, titles in file order",
            "train": args.train, "train_titles": len(titles), "test": args.test, "vocabulary": len(vocab),
            "seed": args.seed, "rows": rows,
        }, indent=1) + "\n")


if __name__ == "__main__":
    main()
