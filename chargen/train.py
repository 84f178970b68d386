"""Training: data -> vocabulary -> batches (tf.data; NumPy on Keras' JAX backend) -> Keras fit, with
per-epoch validation bits, samples at several temperatures, atomic best-checkpoint saving, resume,
early stopping and a CSV log. The output directory is itself a loadable bundle.

    OUT/model.keras, vocab.json, card.json   the best epoch so far (a bundle)
    OUT/log.csv                              one row of metrics per epoch
    OUT/checkpoint/last.keras, state.json    the latest epoch, for --resume

``--init BUNDLE`` fine-tunes: the run starts from a trained bundle's weights and keeps
its vocabulary and architecture (e.g. a model trained on titles and descriptions, then
on titles alone, the text it is measured on).

Every option is a field of :class:`TrainConfig` (its default and one-line meaning there);
the CLI's flags are made from it, and ``train(TrainConfig(data=..., out=...))`` is the API.
"""
from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import math
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np

from . import bundle, data
from .copies import TITLES_FILE, TrainingTitles
from .card import Architecture, Card, Data, Origin, Training, Validation
from .decode import Generator
from .errors import ChargenError
from .evaluate import first_given_bits
from .model import PRESETS, architecture, build_model
from .vocab import LEVELS, NORMALIZATIONS, load_vocab

SAMPLE_PROMPTS = ("Today ", "Moscow, ")
SAMPLE_TEMPERATURES = (0.3, 0.8, 1.3)
DEFAULT_LR = 2e-3
LOG_FIELDS = ("epoch", "train_bpc", "val_bpc", "learning_rate", "seconds", "best")
ARCHITECTURE_FIELDS = ("cell", "layers", "units", "embedding", "dropout", "recurrent_dropout")
PRECISIONS = ("auto", "float32", "mixed_bfloat16")
STRATEGIES = ("none", "mirrored")
STATE_KEYS = ("epoch", "best_val_bpc", "best_epoch", "wait", "learning_rate", "seconds", "architecture", "model_file")


def option(help: str, default=None, *, choices=None, required=False, flag_type=None):
    """A TrainConfig field: its default and the one line the CLI's --help prints."""
    return field(default=default, metadata={"help": help, "choices": choices, "required": required, "type": flag_type})


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run is told. ``None`` means: the preset's (or the bundle's) value."""

    data: str = option("AG News CSV (.csv/.csv.gz), text file (one example a line), or tfds:ag_news_subset",
                       required=True)
    out: str = option("output bundle directory (also holds log.csv and the checkpoint)", required=True)
    epochs: int = option("epochs to train (a resumed run counts the epochs already done)", 20)
    preset: str = option("architecture to start from; --cell, --layers, ... override it", "lesson", choices=tuple(PRESETS))
    level: str = option("tokens: characters or words", "char", choices=tuple(LEVELS))
    cell: str | None = option("recurrent cell", choices=("lstm", "gru"))
    layers: int | None = option("recurrent layers")
    units: int | None = option("units per recurrent layer")
    embedding: int | None = option("embedding width; 0 = one-hot input")
    dropout: float | None = option("dropout between layers, in [0, 1)")
    recurrent_dropout: float | None = option("dropout on the recurrent state inside each cell, in [0, 1)")
    fields: tuple = option("what a training example is: title, description, or title,description", ("title",),
                           flag_type="names")
    extra: tuple = option("extra text fed after its own start id, e.g. description", (), flag_type="names")
    normalization: str = option("clean undoes AG News' HTML debris; clean-lower also lower-cases", "none",
                                choices=tuple(NORMALIZATIONS))
    vocab_size: int | None = option("keep the most frequent tokens (word level)")
    min_count: int = option("drop tokens seen fewer times than this", 1)
    max_len: int | None = option("tokens kept per example (default: all)")
    batch_size: int = option("examples per update (split across devices under --strategy mirrored)", 64)
    optimizer: str = option("optimizer", "adam", choices=("adam", "rmsprop"))
    lr: float | None = option(f"learning rate (default {DEFAULT_LR}); with --resume, the rate to go on with "
                              "(default: the interrupted run's)")
    ema: float | None = option("keep an exponential moving average of the weights with this momentum (e.g. 0.99) "
                               "and validate and save the averaged weights")
    precision: str = option("float32, or mixed_bfloat16 (bfloat16 compute, float32 weights and output); "
                            "auto: mixed_bfloat16 where the CPU or GPU has bfloat16", "auto", choices=PRECISIONS)
    strategy: str = option("mirrored: tf.distribute.MirroredStrategy over every GPU (or every logical CPU device)",
                           "none", choices=STRATEGIES)
    snapshots: tuple = option("also keep the model of these epochs (e.g. 1,2,4,8) in OUT/snapshots/epochNNN, "
                              "each a bundle stored in float16: the model on its way from noise to headlines", (),
                              flag_type="epochs")
    threads: int | None = option("CPU threads TensorFlow may use (default: all); 1 leaves the other core free")
    val_fraction: float = option("share of rows held out for validation", 0.1)
    patience: int = option("epochs without improvement before stopping", 4)
    lr_patience: int = option("epochs without improvement before halving the learning rate", 1)
    seed: int = option("random seed: weights, shuffling, and the validation split", 0)
    resume: bool = option("continue an interrupted run in --out", False)
    init: str | None = option("fine-tune: start from this bundle's weights, vocabulary and architecture "
                              "(e.g. on --fields title after training with --extra description)")

    def __post_init__(self):
        """Refuse what cannot train before any work starts."""
        whole = {"epochs": (1, 100_000), "min_count": (1, 10**9), "batch_size": (1, 65_536), "patience": (1, 10_000),
                 "lr_patience": (1, 10_000), "seed": (0, 2**32 - 1), "max_len": (1, 10**6), "vocab_size": (6, 10**7),
                 "threads": (1, 1024)}
        fields = {f.name: f for f in dataclasses.fields(self)}
        for name, (low, high) in whole.items():
            value = getattr(self, name)
            if value is None and fields[name].default is None:  # an optional setting left unset
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ChargenError(f"--{_flag(name)} must be a whole number from {low:,} to {high:,}, not {value!r}")
        for name, low, high in (("lr", 0, 1), ("ema", 0, 1), ("val_fraction", 0, 1)):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (low < value < high or
                                                                                      (name == "lr" and value == 1)):
                raise ChargenError(f"--{_flag(name)} must be a number above {low} and below {high}, not {value!r}")
        for name, f in fields.items():
            choices, value = f.metadata["choices"], getattr(self, name)
            if choices and value is not None and value not in choices:
                raise ChargenError(f"--{_flag(name)} must be one of {', '.join(choices)}, not {value!r}")
        if not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= self.epochs for n in self.snapshots):
            raise ChargenError(f"--snapshots must be epochs from 1 to --epochs ({self.epochs}), not {list(self.snapshots)}")
        if not self.data or not self.out:
            raise ChargenError("--data and --out are required")
        self.architecture()  # the architecture flags' own checks

    def architecture(self) -> dict:
        return architecture(self.preset, **{name: getattr(self, name) for name in ARCHITECTURE_FIELDS})


def _flag(name: str) -> str:
    return name.replace("_", "-")


def _gpu_compute_capabilities() -> list[tuple[int, int]]:
    """Each GPU's compute capability, as Keras' backend (TensorFlow or JAX) sees the GPUs."""
    if keras.config.backend() == "tensorflow":
        import tensorflow as tf

        return [tf.config.experimental.get_device_details(gpu).get("compute_capability", (0, 0))
                for gpu in tf.config.list_physical_devices("GPU")]
    if keras.config.backend() == "jax":
        import jax

        return [tuple(int(n) for n in device.compute_capability.split("."))
                for device in jax.devices() if device.platform == "gpu"]
    return []


def bf16_available() -> bool:
    """bfloat16 arithmetic in hardware: a GPU of compute capability 8 or later, or a CPU with AVX-512 BF16 or AMX."""
    if any(capability >= (8, 0) for capability in _gpu_compute_capabilities()):
        return True
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _precision(config: TrainConfig) -> str:
    if config.precision == "auto":
        return "mixed_bfloat16" if bf16_available() else "float32"
    return config.precision


def _strategy(name: str):
    """The scope to build the model in and its number of replicas: none (one device, any backend), or
    tf.distribute's MirroredStrategy over every GPU or logical CPU device."""
    if name == "none":
        return contextlib.nullcontext(), 1
    import tensorflow as tf

    devices = None if tf.config.list_logical_devices("GPU") else [d.name for d in tf.config.list_logical_devices("CPU")]
    strategy = tf.distribute.MirroredStrategy(devices)
    return strategy.scope(), strategy.num_replicas_in_sync


def _prepare(config: TrainConfig, out: Path, vocab=None):
    """Records, the validation split, the vocabulary (``vocab``, or reused on resume) and sequences."""
    records = data.read_source(config.data)
    train_rows, val_rows = data.split_validation(records, config.val_fraction, config.seed)
    train_texts = data.field_texts(train_rows, config.fields)
    extra_texts = data.field_texts(train_rows, config.extra) if config.extra else []
    val_texts = data.field_texts(val_rows, ("title",))
    vocab_path = out / bundle.VOCAB_FILE  # on resume, the vocabulary the run started with
    if vocab_path.exists():
        vocab = load_vocab(vocab_path)
    elif vocab is None:
        vocab = LEVELS[config.level].build(
            train_texts + extra_texts, config.normalization, max_size=config.vocab_size, min_count=config.min_count,
        )
    sequences = data.to_sequences(vocab, train_texts, config.max_len)
    sequences += data.to_sequences(vocab, extra_texts, config.max_len, start=vocab.bot)
    val_sequences = data.to_sequences(vocab, val_texts)
    if not sequences or not val_sequences:
        raise ChargenError(f"{config.data}: too little text to train and validate on")
    titles = data.field_texts(train_rows, ("title",))
    return vocab, sequences, val_sequences, train_texts + extra_texts, titles, len(train_rows), len(val_rows)


def _compile(model, optimizer="adam", lr=DEFAULT_LR, ema=None):
    optimizers = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}
    model.compile(
        optimizer=optimizers[optimizer](learning_rate=lr, clipnorm=1.0, use_ema=ema is not None,
                                        ema_momentum=ema or 0.99),
        loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=0),
    )


def read_state(path: Path) -> dict:
    """The checkpoint's state.json, checked: a damaged file is a clear error, not a KeyError later."""
    from .errors import read_json_object

    state = read_json_object(path, "training state")
    state.setdefault("model_file", "last.keras")  # runs checkpointed before the file was named per epoch
    missing = [key for key in STATE_KEYS if key not in state]
    if missing:
        raise ChargenError(f"{path}: training state lacks {', '.join(missing)}; start a new run with another --out")
    return state


def _forget_log_rows_after(path: Path, epoch: int) -> None:
    rows = list(csv.reader(open(path, newline=""))) if path.exists() else []
    kept = rows[:1] + [row for row in rows[1:] if int(row[0]) <= epoch]
    if kept != rows:
        def write(tmp):
            with open(tmp, "w", newline="") as f:
                csv.writer(f).writerows(kept)
        bundle.atomic_write(path, write)


def train(config: TrainConfig) -> Path:
    """Train as the CLI's ``train`` command describes; return the bundle directory."""
    backend = keras.config.backend()
    if backend != "tensorflow" and (config.threads or config.strategy != "none"):
        raise ChargenError(f"--threads and --strategy mirrored need Keras on TensorFlow, not on {backend} "
                           "(KERAS_BACKEND)")
    if config.threads:  # before TensorFlow starts its thread pools
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(config.threads)
        tf.config.threading.set_inter_op_parallelism_threads(config.threads)
    out = Path(config.out)
    checkpoint_dir = out / "checkpoint"
    state_path = checkpoint_dir / "state.json"
    resume = config.resume and state_path.exists()
    if config.resume and not resume and (out / bundle.VOCAB_FILE).exists():
        print(f"no finished checkpoint in {out}: training from the first epoch")  # killed before one was written
    elif not resume and (out / bundle.CARD_FILE).exists():
        raise ChargenError(f"{out} already holds a trained bundle: use --resume to continue it, or another --out")
    try:
        checkpoint_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ChargenError(f"cannot create output directory {out}: {e}") from None
    for partial in [*out.glob(".*.*"), *checkpoint_dir.glob(".*.*")]:  # a write a kill cut short (atomic_write's temp)
        partial.unlink()

    keras.utils.set_random_seed(config.seed)
    init = None if resume or not config.init else _initial_bundle(config)
    vocab, sequences, val_sequences, texts, titles, n_train, n_val = _prepare(config, out, init and init["vocab"])
    precision = _precision(config)
    scope, replicas = _strategy(config.strategy)
    lr = config.lr
    with scope:
        if resume:
            state = read_state(state_path)
            model = bundle.load_keras_model(checkpoint_dir / state["model_file"], compile=True)  # with optimizer state
            arch = state["architecture"]
            print(f"resuming after epoch {state['epoch']} (best validation {state['best_val_bpc']:.4f} bits/token)")
            _forget_log_rows_after(out / "log.csv", state["epoch"])  # epochs a kill cut off before their checkpoint
            if lr is not None:  # going on at another rate, e.g. smaller batches and a smaller step
                model.optimizer.learning_rate.assign(lr)
            lr = float(np.asarray(model.optimizer.learning_rate))
        else:
            arch = init["card"].architecture.to_dict() if init else config.architecture()
            lr = lr or DEFAULT_LR
            model = init["model"] if init else build_model(len(vocab), **arch, dtype=precision)
            _compile(model, config.optimizer, lr, config.ema)
            state = {"epoch": 0, "best_val_bpc": math.inf, "best_epoch": 0, "wait": 0,
                     "learning_rate": lr, "seconds": 0.0, "architecture": arch, "model_file": None}
            vocab.save(out / bundle.VOCAB_FILE)
            # A fine-tune keeps the words its starting bundle knew, so the real-word share stays comparable.
            bundle.write_words(out, [vocab.normalize(t) for t in texts] + (init["known_words"] if init else []))
            TrainingTitles.of(vocab, titles).save(out / TITLES_FILE)  # to mark generated titles copied from these
    dataset = (data.make_dataset(sequences, config.batch_size, shuffle=True, seed=config.seed) if backend == "tensorflow"
               else Batches(sequences, config.batch_size, seed=config.seed))
    print(f"{n_train:,} training rows ({len(sequences):,} sequences), {n_val:,} validation titles, "
          f"vocabulary {len(vocab):,} {vocab.level}s, model {model.count_params():,} parameters, {precision}, "
          f"{replicas} replica(s)")

    if init:
        state["initialized_from"] = init["origin"].to_dict()
    card = Card(
        level=vocab.level, architecture=Architecture(**arch), parameters=int(model.count_params()),
        data=Data(source=str(config.data), fields=tuple(config.fields), extra=tuple(config.extra),
                  train_rows=n_train, validation_rows=n_val, validation_split_seed=config.seed,
                  normalization=vocab.normalization),
        training=Training(batch_size=config.batch_size, lr=lr, optimizer=config.optimizer, seed=config.seed,
                          max_len=config.max_len, precision=precision, ema=config.ema, strategy=config.strategy,
                          replicas=replicas),
        # kept in the state, so a resumed fine-tune still says where it began
        initialized_from=Origin.from_dict(state["initialized_from"]) if "initialized_from" in state else None,
    )
    monitor = _Monitor(out, vocab, card, val_sequences, state, config)
    warnings.filterwarnings("ignore", message="Your input ran out of data")  # tf.data epochs end this way
    model.fit(dataset, epochs=config.epochs, initial_epoch=state["epoch"], callbacks=[monitor],
              verbose=1 if sys.stdout.isatty() else 2)  # a progress bar on a terminal, a line per epoch in a log
    if not (out / bundle.CARD_FILE).exists():
        raise ChargenError("training ended before any epoch finished; nothing was saved")
    return out


def _initial_bundle(config: TrainConfig) -> dict:
    """The bundle ``--init`` names, loaded and checked as ``chargen.load`` does."""
    chosen = [_flag(name) for name in ARCHITECTURE_FIELDS if getattr(config, name) is not None]
    if chosen:
        raise ChargenError(f"--init keeps the bundle's architecture: drop --{', --'.join(chosen)}")
    gen = bundle.load(config.init)
    return {"model": gen.model, "vocab": gen.vocab, "card": gen.card, "origin": Origin.of(gen.card, str(config.init)),
            "known_words": sorted(gen.known_words)}


class Batches(keras.utils.PyDataset):
    """:func:`chargen.data.bucket_batches` for Keras on a backend without tf.data (JAX): a new order each epoch,
    drawn from ``seed``; every batch ``batch_size`` rows by its bucket's longest length, so few shapes compile."""

    def __init__(self, sequences, batch_size, seed=0, bucket_width=16):
        super().__init__()
        self.sequences, self.batch_size, self.bucket_width = sequences, batch_size, bucket_width
        self.rng = np.random.default_rng(seed)
        self.on_epoch_end()

    def on_epoch_end(self):
        self.batches = list(data.bucket_batches(self.sequences, self.batch_size, self.rng, self.bucket_width,
                                                fixed_shapes=True))

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, index):
        return self.batches[index]


@contextlib.contextmanager
def averaged_weights(model):
    """Inside: the model holds the optimizer's moving averages of its weights (``--ema``); after: its own again."""
    if not model.optimizer.use_ema:
        yield
        return
    own = [v.numpy() for v in model.trainable_variables]
    for variable, average in zip(model.trainable_variables, model.optimizer._model_variables_moving_average):
        variable.assign(average)
    try:
        yield
    finally:
        for variable, value in zip(model.trainable_variables, own):
            variable.assign(value)


class _Monitor(keras.callbacks.Callback):
    """Per epoch: validation bits, samples, best bundle, last checkpoint, log row, schedule."""

    def __init__(self, out, vocab, card, val_sequences, state, config: TrainConfig):
        super().__init__()
        self.out, self.vocab, self.card, self.val_sequences = out, vocab, card, val_sequences
        self.state, self.config = state, config
        self.started = time.time()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        state, config = self.state, self.config
        seconds = state["seconds"] + time.time() - self.started
        self.started = time.time()
        card = dataclasses.replace(self.card, epochs=epoch + 1, training_seconds=round(seconds, 1))
        with averaged_weights(self.model):  # the weights a bundle ships: validated, sampled and saved
            gen = Generator(self.model, self.vocab, card)
            total, count = first_given_bits(gen.fast, self.val_sequences)
            val_bpc = total / count
            improved = val_bpc < state["best_val_bpc"] - 1e-4
            measured = dataclasses.replace(card, validation=Validation(level=self.vocab.level,
                                                                       bits_per_token=round(val_bpc, 4)))
            if improved:
                card = dataclasses.replace(measured, best_epoch=epoch + 1)
                self._save(lambda: bundle.save_bundle(self.out, self.model, self.vocab, card))
            if epoch + 1 in config.snapshots:
                snapshot = self.out / "snapshots" / f"epoch{epoch + 1:03d}"
                self._save(lambda: bundle.save_bundle(snapshot, self.model, self.vocab, measured, float16=True))
        logs["val_bpc"] = val_bpc
        learning_rate = float(np.asarray(self.model.optimizer.learning_rate))
        if improved:
            state.update(best_val_bpc=val_bpc, best_epoch=epoch + 1, wait=0)
        else:
            state["wait"] += 1
            if state["wait"] % config.lr_patience == 0:  # plateau: halve the learning rate
                self.model.optimizer.learning_rate.assign(learning_rate * 0.5)
            if state["wait"] >= config.patience:
                print(f"early stop: no improvement for {state['wait']} epochs")
                self.model.stop_training = True
        print(f"epoch {epoch + 1}: train {logs.get('loss', math.nan) / math.log(2):.4f} bits/token, "
              f"validation {val_bpc:.4f} bits/token{' (best, saved)' if improved else ''}")
        for prompt in SAMPLE_PROMPTS:
            for out in gen.compare(prompt, SAMPLE_TEMPERATURES, length=80, seed=epoch):
                print(f"  T={out.temperature:<4g} {prompt}{out.text}")
        self._log(epoch + 1, logs.get("loss", math.nan) / math.log(2), val_bpc, learning_rate, seconds, improved)
        self._checkpoint(epoch + 1, seconds)

    def _checkpoint(self, epoch, seconds):
        """The epoch's model (with optimizer state) in a file of its own, then state.json naming it, then the
        older files removed: a kill at any moment leaves a state.json whose model file is whole."""
        checkpoint, state = self.out / "checkpoint", self.state
        model_file = f"epoch{epoch:04d}.keras"
        self._save(lambda: bundle.atomic_write(checkpoint / model_file, self.model.save))
        state.update(epoch=epoch, seconds=seconds, model_file=model_file,
                     learning_rate=float(np.asarray(self.model.optimizer.learning_rate)))
        self._save(lambda: bundle.atomic_write(checkpoint / "state.json",
                                               lambda tmp: Path(tmp).write_text(json.dumps(state, indent=1))))
        for older in checkpoint.glob("epoch*.keras"):  # also one a kill left behind before it was removed
            if older.name != model_file:
                older.unlink()

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
