"""Training's typed configuration, its refusals, precisions, weight averaging, tf.distribute, the JAX backend and kill-safety."""
import csv
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import chargen
from chargen.cli import main
from chargen.train import TrainConfig
from tests.conftest import TINY_TRAINING as TINY

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("flags, message", [
    (["--batch-size", "0"], "--batch-size must be a whole number from 1"),
    (["--epochs", "0"], "--epochs must be a whole number from 1"),
    (["--lr", "0"], "--lr must be a number above 0"),
    (["--lr", "-1"], "--lr must be a number above 0"),
    (["--lr", "nan"], "--lr must be a number above 0"),
    (["--lr", "inf"], "--lr must be a number above 0"),
    (["--lr-patience", "0"], "--lr-patience must be a whole number from 1"),
    (["--patience", "-2"], "--patience must be a whole number from 1"),
    (["--val-fraction", "1"], "--val-fraction must be a number above 0 and below 1"),
    (["--ema", "1"], "--ema must be a number above 0 and below 1"),
    (["--max-len", "0"], "--max-len must be a whole number from 1"),
    (["--dropout", "1.5"], "dropout must be in [0, 1)"),
    (["--recurrent-dropout", "-0.1"], "recurrent_dropout must be in [0, 1)"),
    (["--units", "0"], "units must be a whole number from 1"),
    (["--layers", "1000000000"], "layers must be a whole number from 1 to 32"),
    (["--embedding", "-1"], "embedding must be a whole number from 0"),
])
def test_bad_options_are_refused_before_any_work(corpus, tmp_path, capsys, flags, message):
    out = tmp_path / "never"
    assert main(["train", "--data", str(corpus), "--out", str(out), *flags]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()  # refused before a directory, a vocabulary or a model was made


@pytest.mark.parametrize("flags, message", [
    (["--lr", "abc"], "'abc' is not a number"),
    (["--batch-size", "2.5"], "'2.5' is not a whole number"),
    (["--precision", "float8"], "invalid choice: 'float8'"),
])
def test_unparseable_flags_get_argparse_messages(corpus, tmp_path, capsys, flags, message):
    with pytest.raises(SystemExit) as exit:
        main(["train", "--data", str(corpus), "--out", str(tmp_path / "x"), *flags])
    assert exit.value.code == 2 and message in capsys.readouterr().err


def test_config_is_the_api_and_the_cli_flags_come_from_it():
    config = TrainConfig(data="d.csv", out="o")
    assert config.batch_size == 64 and config.fields == ("title",) and config.precision == "auto"
    with pytest.raises(chargen.ChargenError, match="--lr"):
        TrainConfig(data="d.csv", out="o", lr=float("nan"))
    help_text = subprocess.run([sys.executable, "-m", "chargen", "train", "--help"], cwd=ROOT,
                               capture_output=True, text=True).stdout
    import dataclasses
    for field in dataclasses.fields(TrainConfig):
        assert "--" + field.name.replace("_", "-") in help_text


@pytest.mark.parametrize("precision", ["float32", "mixed_bfloat16"])
def test_each_precision_trains_a_float32_bundle_that_decodes_as_keras_does(corpus, tmp_path, precision):
    out = tmp_path / precision
    assert main(["train", "--data", str(corpus), "--out", str(out), *TINY, "--precision", precision,
                 "--recurrent-dropout", "0.2", "--embedding", "4"]) == 0
    gen = chargen.load(out)
    assert gen.card.training.precision == precision
    assert gen.card.architecture.recurrent_dropout == 0.2
    assert all(w.dtype == "float32" for w in gen.model.weights)
    assert {layer.dtype_policy.name for layer in gen.model.layers} == {"float32"}
    import keras
    assert getattr(keras.saving.load_model(out / "model.keras"), "optimizer", None) is None  # no optimizer state
    assert_decodes_as_keras(gen)


def assert_decodes_as_keras(gen):
    """The NumPy decoder's steps give the Keras model's probabilities, to 1e-5."""
    ids = np.array([gen.vocab.encode("Oil prices ")])
    expected = gen.model.predict(ids, verbose=0)[0]
    state = gen.fast.initial_state(1)
    steps = []
    for token in ids[0]:
        probs, state = gen.fast.step(np.array([token]), state)
        steps.append(probs[0])
    np.testing.assert_allclose(np.stack(steps), expected, atol=1e-5)


def test_ema_validates_and_ships_the_averaged_weights(corpus, tmp_path):
    out = tmp_path / "ema"
    assert main(["train", "--data", str(corpus), "--out", str(out), *TINY, "--epochs", "1", "--ema", "0.5",
                 "--precision", "float32"]) == 0
    gen = chargen.load(out)
    assert gen.card.training.ema == 0.5
    checkpoint = json.loads((out / "checkpoint" / "state.json").read_text())
    import keras
    trained = keras.saving.load_model(out / "checkpoint" / checkpoint["model_file"])
    averages = [np.asarray(v) for v in trained.optimizer._model_variables_moving_average]
    own = [np.asarray(v) for v in trained.trainable_variables]
    shipped = [np.asarray(v) for v in gen.model.trainable_variables]
    assert all(np.allclose(a, s, atol=1e-6) for a, s in zip(averages, shipped))  # the bundle holds the averages
    assert not all(np.allclose(o, s) for o, s in zip(own, shipped))  # the checkpoint goes on from its own weights


def test_mirrored_strategy_on_two_logical_cpus_trains_a_bundle_that_decodes(corpus, tmp_path):
    out = tmp_path / "mirrored"
    script = textwrap.dedent(f"""
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from chargen.cli import main
        raise SystemExit(main(["train", "--data", {str(corpus)!r}, "--out", {str(out)!r}, "--epochs", "2", "--units", "8",
                               "--embedding", "4", "--ema", "0.9", "--batch-size", "4", "--val-fraction", "0.25",
                               "--strategy", "mirrored"]))
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "2 replica(s)" in run.stdout
    gen = chargen.load(out)
    assert gen.card.training.replicas == 2 and gen.card.epochs == 2
    assert gen.generate("Oil ", length=10, seed=0).steps


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed (CI has none)")
def test_jax_backend_trains_and_resumes_without_tensorflow_a_bundle_that_tensorflow_decodes(corpus, tmp_path):
    out = tmp_path / "jax"
    train = ["train", "--data", str(corpus), "--out", str(out), *TINY, "--embedding", "4", "--recurrent-dropout", "0.2",
             "--ema", "0.9"]
    script = textwrap.dedent(f"""
        import sys

        class NoTensorFlow:  # as on a GPU machine that has JAX and no TensorFlow
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] in ("tensorflow", "tensorflow_datasets"):
                    raise ModuleNotFoundError(f"No module named {{name!r}}")

        sys.meta_path.insert(0, NoTensorFlow())
        from chargen.cli import main
        assert main({train!r} + ["--strategy", "mirrored"]) == 2  # tf.distribute: TensorFlow only
        assert main({train!r} + ["--epochs", "1"]) == 0
        raise SystemExit(main({train!r} + ["--resume"]))
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, "KERAS_BACKEND": "jax"},
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "need Keras on TensorFlow, not on jax" in run.stderr and "resuming after epoch 1" in run.stdout
    gen = chargen.load(out)  # here, on TensorFlow
    assert gen.card.epochs == 2 and gen.card.training.ema == 0.9
    assert_decodes_as_keras(gen)


KILLER = textwrap.dedent("""
    import os, signal, sys
    from chargen import bundle
    from chargen.cli import main
    kill_at, writes = int(sys.argv[1]), [0]
    real = bundle.atomic_write

    def atomic_write(path, write):  # the kill_at-th file write of the run: killed before, during or after it
        writes[0] += 1
        moment = os.environ["MOMENT"]
        if writes[0] == kill_at and moment == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        if writes[0] == kill_at and moment == "during":
            real(path, lambda tmp: (write(tmp), os.kill(os.getpid(), signal.SIGKILL)))
        real(path, write)
        if writes[0] == kill_at and moment == "after":
            os.kill(os.getpid(), signal.SIGKILL)

    bundle.atomic_write = atomic_write
    raise SystemExit(main(sys.argv[2:]))
""")
# A run's file writes per improving epoch: words.txt once, then model.keras, vocab.json, card.json (the bundle),
# the epoch's checkpoint model and state.json.
WRITES_PER_EPOCH = ["model.keras", "vocab.json", "card.json", "checkpoint model", "state.json"]


KILLS = [(2, "before")] + [(k, "during") for k in range(2, 2 + 2 * len(WRITES_PER_EPOCH))] + [(11, "after")]


@pytest.mark.parametrize("kill_at, moment", KILLS)  # during every write of epochs 1 and 2; before and after all
def test_a_kill_at_any_point_of_a_checkpoint_write_leaves_a_run_that_resumes(corpus, tmp_path, kill_at, moment):
    out = tmp_path / "run"
    argv = ["train", "--data", str(corpus), "--out", str(out), *TINY, "--epochs", "3", "--precision", "float32",
            "--patience", "9"]
    killed = subprocess.run([sys.executable, "-c", KILLER, str(kill_at), *argv], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ, "MOMENT": moment}, timeout=300)
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert main([*argv, "--resume"]) == 0
    gen = chargen.load(out)
    assert gen.generate("Oil ", length=5, seed=0).steps
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert state["epoch"] == 3
    assert sorted(p.name for p in (out / "checkpoint").iterdir()) == [state["model_file"], "state.json"]
    epochs = [int(r["epoch"]) for r in csv.DictReader(open(out / "log.csv"))]
    assert epochs[-1] == 3 and set(epochs) == {1, 2, 3}


@pytest.mark.parametrize("content, message", [
    ("{not json", "not a valid training state file"),
    ('{"epoch": 1}', "training state lacks best_val_bpc"),
    ("[1, 2]", "expected a JSON object"),
])
def test_a_damaged_state_json_is_a_clear_error(corpus, tmp_path, capsys, content, message):
    out = tmp_path / "damaged"
    argv = ["train", "--data", str(corpus), "--out", str(out), *TINY, "--epochs", "1", "--precision", "float32"]
    assert main(argv) == 0
    (out / "checkpoint" / "state.json").write_text(content)
    assert main([*argv, "--epochs", "2", "--resume"]) == 2
    assert message in capsys.readouterr().err


def test_snapshots_keep_the_model_of_those_epochs_in_float16(corpus, tmp_path, capsys):
    out = tmp_path / "snapshots"
    assert main(["train", "--data", str(corpus), "--out", str(out), *TINY, "--epochs", "3", "--snapshots", "1,3"]) == 0
    assert sorted(p.name for p in (out / "snapshots").iterdir()) == ["epoch001", "epoch003"]
    first, last = (chargen.load(out / "snapshots" / name) for name in ("epoch001", "epoch003"))
    assert (first.card.epochs, last.card.epochs) == (1, 3)
    assert first.card.stored_float16 == ("output",)  # one-hot input: no embedding to halve
    log = {int(r["epoch"]): float(r["val_bpc"]) for r in csv.DictReader(open(out / "log.csv"))}
    assert first.card.validation.bits_per_token == pytest.approx(log[1], abs=1e-4)
    assert last.card.validation.bits_per_token == pytest.approx(log[3], abs=1e-4)
    assert main(["train", "--data", str(corpus), "--out", str(tmp_path / "x"), *TINY, "--snapshots", "0,3"]) == 2
    assert "--snapshots must be epochs from 1 to --epochs (2), not [0, 3]" in capsys.readouterr().err
