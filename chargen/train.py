"""Training: data -> vocabulary -> tf.data -> Keras fit, with per-epoch validation
bits, samples at several temperatures, atomic best-checkpoint saving, resume,
early stopping and a CSV log. The output directory is itself a loadable bundle.

    OUT/model.keras, vocab.json, card.json   the best epoch so far (a bundle)
    OUT/log.csv                              one row of metrics per epoch
    OUT/checkpoint/last.keras, state.json    the latest epoch, for --resume

``--init BUNDLE`` fine-tunes: the run starts from a trained bundle's weights and keeps
its vocabulary and architecture (e.g. a model trained on titles and descriptions, then
on titles alone, the text it is measured on).
"""
from __future__ import annotations

import csv
import dataclasses
import json
import math
import sys
import time
import warnings
from pathlib import Path

import keras
import numpy as np

from . import bundle, data
from .card import Architecture, Card, Data, Origin, Training, Validation
from .decode import Generator
from .errors import ChargenError
from .evaluate import first_given_bits
from .model import architecture, build_model
from .vocab import LEVELS, load_vocab

SAMPLE_PROMPTS = ("Today ", "Moscow, ")
SAMPLE_TEMPERATURES = (0.3, 0.8, 1.3)
DEFAULT_LR = 2e-3
LOG_FIELDS = ("epoch", "train_bpc", "val_bpc", "learning_rate", "seconds", "best")


def _prepare(options, out: Path, vocab=None):
    """Records, the validation split, the vocabulary (``vocab``, or reused on resume) and sequences."""
    records = data.read_source(options["data"])
    train_rows, val_rows = data.split_validation(records, options["val_fraction"], options["seed"])
    train_texts = data.field_texts(train_rows, options["fields"])
    extra_texts = data.field_texts(train_rows, options["extra"]) if options["extra"] else []
    val_texts = data.field_texts(val_rows, ("title",))
    vocab_path = out / bundle.VOCAB_FILE  # on resume, the vocabulary the run started with
    if vocab_path.exists():
        vocab = load_vocab(vocab_path)
    elif vocab is None:
        vocab = LEVELS[options["level"]].build(
            train_texts + extra_texts, options["normalization"], max_size=options["vocab_size"],
            min_count=options["min_count"],
        )
    sequences = data.to_sequences(vocab, train_texts, options["max_len"])
    sequences += data.to_sequences(vocab, extra_texts, options["max_len"], start=vocab.bot)
    val_sequences = data.to_sequences(vocab, val_texts)
    if not sequences or not val_sequences:
        raise ChargenError(f"{options['data']}: too little text to train and validate on")
    return vocab, sequences, val_sequences, train_texts + extra_texts, len(train_rows), len(val_rows)


def _compile(model, options):
    optimizers = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}
    model.compile(
        optimizer=optimizers[options["optimizer"]](learning_rate=options["lr"], clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=0),
    )


def train(options: dict) -> Path:
    """Train as the CLI's ``train`` command describes; return the bundle directory."""
    out = Path(options["out"])
    checkpoint_dir = out / "checkpoint"
    state_path = checkpoint_dir / "state.json"
    resume = options.get("resume") and state_path.exists()
    if not resume and (out / bundle.CARD_FILE).exists():
        raise ChargenError(f"{out} already holds a trained bundle: use --resume to continue it, or another --out")
    try:
        checkpoint_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ChargenError(f"cannot create output directory {out}: {e}") from None

    keras.utils.set_random_seed(options["seed"])
    init = None if resume or not options.get("init") else _initial_bundle(options)
    vocab, sequences, val_sequences, texts, n_train, n_val = _prepare(options, out, init and init["vocab"])
    arch = init["card"].architecture.to_dict() if init else architecture(
        options["preset"], cell=options.get("cell"), layers=options.get("layers"), units=options.get("units"),
        embedding=options.get("embedding"), dropout=options.get("dropout"))
    if resume:
        state = json.loads(state_path.read_text())
        model = bundle.load_keras_model(checkpoint_dir / "last.keras", compile=True)  # with optimizer state
        arch = state["architecture"]
        print(f"resuming after epoch {state['epoch']} (best validation {state['best_val_bpc']:.4f} bits/char)")
        if options.get("lr") is not None:  # going on at another rate, e.g. smaller batches and a smaller step
            model.optimizer.learning_rate.assign(options["lr"])
        options = {**options, "lr": float(np.asarray(model.optimizer.learning_rate))}
    else:
        options = {**options, "lr": options.get("lr") or DEFAULT_LR}
        model = init["model"] if init else build_model(len(vocab), **arch)
        _compile(model, options)
        state = {"epoch": 0, "best_val_bpc": math.inf, "best_epoch": 0, "wait": 0,
                 "learning_rate": options["lr"], "seconds": 0.0, "architecture": arch}
        vocab.save(out / bundle.VOCAB_FILE)
        # A fine-tune keeps the words its starting bundle knew, so the real-word share stays comparable.
        bundle.write_words(out, [vocab.normalize(t) for t in texts] + (init["known_words"] if init else []))
    dataset = data.make_dataset(sequences, options["batch_size"], shuffle=True, seed=options["seed"])
    print(f"{n_train:,} training rows ({len(sequences):,} sequences), {n_val:,} validation titles, "
          f"vocabulary {len(vocab):,} {vocab.level}s, model {model.count_params():,} parameters")

    if init:
        state["initialized_from"] = init["origin"].to_dict()
    card = Card(
        level=vocab.level, architecture=Architecture(**arch), parameters=int(model.count_params()),
        data=Data(source=str(options["data"]), fields=tuple(options["fields"]), extra=tuple(options["extra"]),
                  train_rows=n_train, validation_rows=n_val, validation_split_seed=options["seed"],
                  normalization=vocab.normalization),
        training=Training(**{k: options[k] for k in ("batch_size", "lr", "optimizer", "seed", "max_len")}),
        # kept in the state, so a resumed fine-tune still says where it began
        initialized_from=Origin.from_dict(state["initialized_from"]) if "initialized_from" in state else None,
    )
    monitor = _Monitor(out, vocab, card, val_sequences, state, options)
    warnings.filterwarnings("ignore", message="Your input ran out of data")  # tf.data epochs end this way
    model.fit(dataset, epochs=options["epochs"], initial_epoch=state["epoch"], callbacks=[monitor],
              verbose=1 if sys.stdout.isatty() else 2)  # a progress bar on a terminal, a line per epoch in a log
    if not (out / bundle.CARD_FILE).exists():
        raise ChargenError("training ended before any epoch finished; nothing was saved")
    return out


def _initial_bundle(options) -> dict:
    """The bundle ``--init`` names, loaded and checked as ``chargen.load`` does."""
    chosen = [flag for flag in ("cell", "layers", "units", "embedding", "dropout") if options.get(flag) is not None]
    if chosen:
        raise ChargenError(f"--init keeps the bundle's architecture: drop --{', --'.join(chosen)}")
    gen = bundle.load(options["init"])
    return {"model": gen.model, "vocab": gen.vocab, "card": gen.card, "origin": Origin.of(gen.card, str(options["init"])),
            "known_words": sorted(gen.known_words)}


class _Monitor(keras.callbacks.Callback):
    """Per epoch: validation bits, samples, best bundle, last checkpoint, log row, schedule."""

    def __init__(self, out, vocab, card, val_sequences, state, options):
        super().__init__()
        self.out, self.vocab, self.card, self.val_sequences = out, vocab, card, val_sequences
        self.state, self.options = state, options
        self.started = time.time()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        state, options = self.state, self.options
        seconds = state["seconds"] + time.time() - self.started
        self.started = time.time()
        card = dataclasses.replace(self.card, epochs=epoch + 1, training_seconds=round(seconds, 1))
        gen = Generator(self.model, self.vocab, card)
        total, count = first_given_bits(gen.fast, self.val_sequences)
        val_bpc = total / count
        logs["val_bpc"] = val_bpc
        learning_rate = float(np.asarray(self.model.optimizer.learning_rate))
        improved = val_bpc < state["best_val_bpc"] - 1e-4
        if improved:
            state.update(best_val_bpc=val_bpc, best_epoch=epoch + 1, wait=0)
            card = dataclasses.replace(card, validation=Validation(level=self.vocab.level, bits_per_token=round(val_bpc, 4)),
                                       best_epoch=epoch + 1)
            self._save(lambda: bundle.save_bundle(self.out, self.model, self.vocab, card))
        else:
            state["wait"] += 1
            if state["wait"] % options["lr_patience"] == 0:  # plateau: halve the learning rate
                self.model.optimizer.learning_rate.assign(learning_rate * 0.5)
            if state["wait"] >= options["patience"]:
                print(f"early stop: no improvement for {state['wait']} epochs")
                self.model.stop_training = True
        print(f"epoch {epoch + 1}: train {logs.get('loss', math.nan) / math.log(2):.4f} bits/token, "
              f"validation {val_bpc:.4f} bits/token{' (best, saved)' if improved else ''}")
        for prompt in SAMPLE_PROMPTS:
            for out in gen.compare(prompt, SAMPLE_TEMPERATURES, length=80, seed=epoch):
                print(f"  T={out.temperature:<4g} {prompt}{out.text}")
        state.update(epoch=epoch + 1, seconds=seconds,
                     learning_rate=float(np.asarray(self.model.optimizer.learning_rate)))
        checkpoint = self.out / "checkpoint"
        self._save(lambda: bundle.atomic_write(checkpoint / "last.keras", self.model.save))
        self._save(lambda: bundle.atomic_write(checkpoint / "state.json",
                                               lambda tmp: Path(tmp).write_text(json.dumps(state, indent=1))))
        self._log(epoch + 1, logs.get("loss", math.nan) / math.log(2), val_bpc, learning_rate, seconds, improved)

    def _save(self, write):
        try:
            write()
        except OSError as e:
            raise ChargenError(f"cannot write to {self.out} ({e.strerror or e}); the previous checkpoint is untouched") from None

    def _log(self, *row):
        path = self.out / "log.csv"
        new = not path.exists()
        with open(path, "a", newline="") as f:
            writer = csv.writer(f)
            if new:
                writer.writerow(LOG_FIELDS)
            writer.writerow([f"{v:.5g}" if isinstance(v, float) else v for v in row])
