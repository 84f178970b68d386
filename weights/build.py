"""Ship a trained run as a bundle in weights/, and write weights/README.md's generated parts.

    python weights/build.py ship /work/runs/default default --test ../shared/data/ag_news/test.csv.gz
    python weights/build.py ship /work/runs/words9000 words --test ../shared/data/ag_news/test.csv.gz --float16
    python weights/build.py averages /work/runs/default CHECKPOINT.keras ...
    python weights/build.py ship /work/runs/default default --test ... --average CHECKPOINT.keras ...
    python weights/build.py readme
    python weights/build.py titles default lesson words
    python weights/build.py progress /work/runs/lesson-snapshots lesson --test ../shared/data/ag_news/test.csv.gz

`ship` copies the run's best epoch (weights without optimizer state, vocabulary, card,
known words), measures bits on the test titles and the decoding speed, and records
both in the card; the bundle also gets `titles.u64` (chargen.copies). With `--average`, the shipped weights are the mean of those
checkpoints' weights instead (checkpoint averaging); `averages` measures, on the run's
validation titles, the mean of the last 1, 2, ... of them, to choose how many.
`readme` regenerates the table and the samples between the markers of
weights/README.md from the shipped cards and from seeded generations.
"""
from __future__ import annotations

import argparse
import dataclasses
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import chargen  # noqa: E402
from chargen import bundle  # noqa: E402
from chargen.card import Evaluation, Validation  # noqa: E402
from chargen.copies import TITLES_FILE, TrainingTitles  # noqa: E402
from chargen.data import card_split, field_texts, read_source, to_sequences  # noqa: E402
from chargen.evaluate import evaluate_texts, first_given_bits  # noqa: E402

WEIGHTS = Path(__file__).resolve().parent
SAMPLE_SEED = 0


def decoding_speed(gen, repeats=30) -> float:
    """Median characters per second, single stream, 100 tokens with a top-5 trace."""
    rates = []
    for seed in range(repeats):
        start = time.perf_counter()
        out = gen.generate("Today ", length=100, alternatives=5, seed=seed, stop_at_end=False)
        rates.append(len(out.text) / (time.perf_counter() - start))
    return statistics.median(rates)


def checkpoint_weights(checkpoints: list[Path]) -> list[list[np.ndarray]]:
    return [bundle.load_keras_model(Path(c)).get_weights() for c in checkpoints]


def validation_titles(gen) -> list[str]:
    _, val_rows = card_split(gen.card.data)
    return field_texts(val_rows, ("title",))


def averaged(gen, weights: list[list[np.ndarray]], titles: list[str]):
    """``gen``'s model with the mean of these checkpoints' weights, and its bits per token on ``titles``
    (the first token given, as training measures validation)."""
    gen.model.set_weights([np.mean(layer, axis=0) for layer in zip(*weights)])
    gen = chargen.Generator(gen.model, gen.vocab, gen.card, gen.name, gen.known_words)  # a fresh NumPy step
    return gen, first_given_bits(gen.fast, to_sequences(gen.vocab, titles))


def averages(run: Path, checkpoints: list[Path]) -> None:
    gen, weights = chargen.load(run), checkpoint_weights(checkpoints)  # each file read once
    titles = validation_titles(gen)
    for k in range(1, len(checkpoints) + 1):
        _, (bits, predictions) = averaged(gen, weights[-k:], titles)
        print(f"mean of the last {k} ({', '.join(c.name for c in checkpoints[-k:])}): "
              f"{bits / predictions:.4f} validation bits/{gen.vocab.level}", flush=True)


def ship(run: Path, name: str, test: str, float16: bool = False, average: list[Path] = ()) -> None:
    gen = chargen.load(run)
    target = WEIGHTS / name
    card = gen.card
    if average:
        gen, (bits, predictions) = averaged(gen, checkpoint_weights(average), validation_titles(gen))
        card = dataclasses.replace(card, validation=Validation(level=card.level, bits_per_token=round(bits / predictions, 4)),
                                   averaged_checkpoints=tuple(c.name for c in average))
    bundle.save_bundle(target, gen.model, gen.vocab, card, float16=float16)
    if (run / TITLES_FILE).exists():
        shutil.copy(run / TITLES_FILE, target / TITLES_FILE)
    else:
        write_training_titles(target, gen)
    if (run / bundle.WORDS_FILE).exists():
        shutil.copy(run / bundle.WORDS_FILE, target / bundle.WORDS_FILE)
    else:  # runs from before training wrote it: the same training rows, split as the run split them
        train_rows, _ = card_split(card.data)
        texts = field_texts(train_rows, card.data.fields)
        if card.data.extra:
            texts += field_texts(train_rows, card.data.extra)
        bundle.write_words(target, [gen.vocab.normalize(t) for t in texts])
    shipped = chargen.load(target)
    test_titles = field_texts(read_source(test, split="test"))
    result = evaluate_texts(shipped, test_titles)
    card = dataclasses.replace(shipped.card, test=Evaluation.of(result, Path(test).name),
                               decoding_chars_per_second=round(decoding_speed(shipped)))
    if float16:  # what half-size storage costs, on the same titles: the float32 run against the shipped copy
        full = evaluate_texts(gen, test_titles)["bits_per_title"]
        card = dataclasses.replace(card, float16_bits_change=round((result["bits_per_title"] - full) / full, 6))
        print(f"float16 storage: {full:.3f} -> {result['bits_per_title']:.3f} bits/title")
    bundle.write_card(target, card)
    print(f"{name}: {result} ; {card.decoding_chars_per_second:,} chars/s")


def ship_progress(run: Path, name: str, test: str) -> None:
    """The run's snapshots (``train --snapshots``, float16) and its best epoch, also in float16, into
    ``weights/NAME/progress/epochNNN``, each card with its test bits: the model from noise to headlines."""
    target = WEIGHTS / name / bundle.PROGRESS_DIR
    shutil.rmtree(target, ignore_errors=True)
    for snapshot in [run, *sorted((run / "snapshots").iterdir())]:  # saved again: weights alone, in float16
        gen = chargen.load(snapshot)
        bundle.save_bundle(target / f"epoch{gen.card.epochs:03d}", gen.model, gen.vocab, gen.card, float16=True)
    test_titles = field_texts(read_source(test, split="test"))
    for epoch, directory in chargen.progress(name):
        result = evaluate_texts(chargen.load(directory), test_titles)
        bundle.write_card(directory, dataclasses.replace(bundle.read_card(directory), test=Evaluation.of(result, Path(test).name)))
        print(f"{name} after epoch {epoch}: {result['bpc']:.3f} bits/char", flush=True)


def write_training_titles(target: Path, gen) -> None:
    """``titles.u64`` from the training titles of the split the bundle's card records (for bundles
    trained before training wrote it)."""
    train_rows, _ = card_split(gen.card.data)
    titles = TrainingTitles.of(gen.vocab, field_texts(train_rows, ("title",)))
    titles.save(target / TITLES_FILE)
    print(f"{target.name}: {len(titles):,} training titles")


def _between(text: str, marker: str, body: str) -> str:
    pattern = re.compile(f"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)", re.S)
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def _training_summary(card) -> tuple[str, str, float]:
    """Data, epochs and training minutes of a card (or of the Origin of a fine-tune), its starting run included."""
    data = "titles" + (" + descriptions" if card.data.extra else "") + f", {card.data.normalization}"
    epochs = f"{card.best_epoch or card.epochs} of {card.epochs}"
    if card.averaged_checkpoints:
        epochs += f" (weights: the mean of {', '.join(Path(n).stem for n in card.averaged_checkpoints)})"
    minutes = card.training_seconds / 60
    if card.initialized_from:  # fine-tuned: first how its starting bundle was trained
        base_data, base_epochs, base_minutes = _training_summary(card.initialized_from)
        data, epochs = f"{base_data}; then {data}", f"{base_epochs}; then {epochs}"
        minutes += base_minutes
    return data, epochs, minutes


def readme() -> None:
    rows = ["| bundle | level | architecture | parameters | data | epochs | training | validation bits | test bits/char | test bits/title | decoding chars/s |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    samples = []
    for name in chargen.shipped_names():
        gen = chargen.load(name)
        c, a = gen.card, gen.card.architecture
        arch = f"{a.layers}×{a.cell.upper()} {a.units}, " + (f"embedding {a.embedding}" if a.embedding else "one-hot")
        data, epochs, minutes = _training_summary(c)
        rows.append(f"| `{name}` | {c.level} | {arch}, dropout {a.dropout} | {c.parameters:,} | {data} | "
                    f"{epochs} | {minutes:.0f} min | "
                    f"{c.validation.bits_per_token:.3f}{' per word' if c.validation.level == 'word' else ''} | "
                    f"{c.test.bits_per_char:.3f} | {c.test.bits_per_title:.1f} | {c.decoding_chars_per_second:,} |")
        samples.append(f"\n### `{name}`\n")
        for prompt in chargen.LESSON_PROMPTS:
            samples.append(f"\n{prompt!r}, seed {SAMPLE_SEED}:\n")
            for out in gen.compare(prompt, chargen.LESSON_TEMPERATURES, length=100, seed=SAMPLE_SEED):
                samples.append(f"- T={out.temperature}: {prompt}{out.text}".replace("\n", " ").rstrip() + "\n")
    path = WEIGHTS / "README.md"
    text = _between(path.read_text(), "table", "\n".join(rows) + "\n")
    text = _between(text, "samples", "".join(samples).lstrip("\n") + "\n")
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ship")
    p.add_argument("run", type=Path)
    p.add_argument("name")
    p.add_argument("--test", required=True)
    p.add_argument("--float16", action="store_true", help="store the embedding and output layers at half size")
    p.add_argument("--average", nargs="+", type=Path, default=(), help="ship the mean of these checkpoints' weights")
    p = sub.add_parser("averages")
    p.add_argument("run", type=Path)
    p.add_argument("checkpoints", nargs="+", type=Path, help="oldest first")
    sub.add_parser("readme")
    p = sub.add_parser("progress", help="ship a run's snapshots as the bundle's progress/")
    p.add_argument("run", type=Path)
    p.add_argument("name")
    p.add_argument("--test", required=True)
    p = sub.add_parser("titles", help="write titles.u64 into shipped bundles")
    p.add_argument("names", nargs="+")
    args = parser.parse_args()
    if args.command == "ship":
        ship(args.run, args.name, args.test, args.float16, args.average)
    elif args.command == "averages":
        averages(args.run, args.checkpoints)
    elif args.command == "progress":
        ship_progress(args.run, args.name, args.test)
    elif args.command == "titles":
        for name in args.names:
            write_training_titles(WEIGHTS / name, chargen.load(name))
    else:
        readme()


if __name__ == "__main__":
    main()
