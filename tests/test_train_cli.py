"""Training, evaluation and the CLI end to end on a tiny corpus (seconds, not a real model)."""
import csv
import json

import pytest

import chargen
from chargen.cli import main
from tests.conftest import TINY_TRAINING as TINY
from tests.conftest import TITLES


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "bundle"
    assert main(["train", "--data", str(corpus), "--out", str(out), *TINY]) == 0
    return out


def test_train_writes_a_loadable_bundle_log_and_checkpoint(trained, capsys):
    gen = chargen.load(trained)
    card = gen.card
    rows = list(csv.DictReader(open(trained / "log.csv")))
    best = min(rows, key=lambda r: float(r["val_bpc"]))  # the card holds the best epoch's figure, per character
    assert card.architecture.units == 8 and card.epochs >= 1 and card.best_epoch == int(best["epoch"])
    assert card.validation.level == "char" and card.validation.bits_per_token == pytest.approx(float(best["val_bpc"]), abs=1e-3)
    assert card.data.train_rows == 18 and card.data.validation_rows == 6
    assert {"oil", "stocks"} <= gen.known_words
    assert len(gen.training_titles) == len(set(TITLES))  # the training split's titles, as hashes
    assert [r["epoch"] for r in rows] == ["1", "2"] and all(float(r["val_bpc"]) > 0 for r in rows)
    state = json.loads((trained / "checkpoint" / "state.json").read_text())
    assert state["epoch"] == 2


def test_resume_continues_from_the_last_epoch(trained, corpus, capsys):
    assert main(["train", "--data", str(corpus), "--out", str(trained), *TINY, "--epochs", "3", "--resume"]) == 0
    assert "resuming after epoch 2" in capsys.readouterr().out
    rows = list(csv.DictReader(open(trained / "log.csv")))
    assert [r["epoch"] for r in rows] == ["1", "2", "3"]


def test_resume_can_go_on_at_another_learning_rate(corpus, tmp_path):
    out = tmp_path / "rate"
    assert main(["train", "--data", str(corpus), "--out", str(out), *TINY, "--epochs", "1"]) == 0
    assert main(["train", "--data", str(corpus), "--out", str(out), *TINY, "--epochs", "2", "--resume",
                 "--lr", "0.0005", "--batch-size", "4"]) == 0
    rows = list(csv.DictReader(open(out / "log.csv")))
    assert [float(r["learning_rate"]) for r in rows] == [0.002, 0.0005]


def test_train_refuses_to_overwrite_a_bundle(trained, corpus, capsys):
    assert main(["train", "--data", str(corpus), "--out", str(trained), *TINY]) == 2
    assert "--resume" in capsys.readouterr().err


def test_samples_at_several_temperatures_are_printed(corpus, tmp_path, capsys):
    assert main(["train", "--data", str(corpus), "--out", str(tmp_path / "b"), *TINY, "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "T=0.3" in out and "T=1.3" in out and "validation" in out


def test_evaluate_prints_and_writes_the_test_figures(trained, corpus, capsys):
    assert main(["evaluate", str(trained), "--data", str(corpus), "--write"]) == 0
    out = capsys.readouterr().out
    assert "bits per character" in out
    test = json.loads((trained / "card.json").read_text())["test"]
    assert f"{test['bits_per_char']:.4f} bits per character" in out and f"{test['bits_per_title']:.1f} bits per title" in out
    assert test["bits_per_title"] > test["bits_per_char"] > 0 and test["data"] == str(corpus)
    assert chargen.load(trained).card.test.bits_per_char == test["bits_per_char"]


def test_generate_trace_and_compare(trained, capsys):
    assert main(["generate", str(trained), "--prompt", "Oil ", "--length", "12", "--trace", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Oil ") and "p(T=1)" in out and "rank" in out
    assert main(["compare", str(trained), "--prompt", "Oil ", "--length", "10", "--with", str(trained)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 12 and lines[0].split()[1] == "greedy" and lines[2].split()[1] == "T=0.3"


@pytest.mark.parametrize("argv, message", [
    (["generate", "/nowhere"], "no model bundle"),
    (["train", "--data", "/nowhere.csv", "--out", "OUT"], "file not found"),
    (["evaluate", "lesson", "--data", "/nowhere.csv"], "file not found"),
])
def test_cli_errors_are_messages_not_tracebacks(argv, message, capsys, tmp_path):
    argv = [str(tmp_path / a) if a == "OUT" else a for a in argv]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_every_command_has_help(capsys):
    for command in ["train", "evaluate", "generate", "compare"]:
        with pytest.raises(SystemExit) as exit:
            main([command, "--help"])
        assert exit.value.code == 0
    assert "--temperature" in capsys.readouterr().out


def test_a_failed_checkpoint_write_leaves_the_previous_one(trained, corpus, monkeypatch, capsys):
    from chargen import bundle

    before = {p.name: p.read_bytes() for p in trained.iterdir() if p.is_file() and p.name != "log.csv"}

    def disk_full(path, write):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bundle, "atomic_write", disk_full)
    assert main(["train", "--data", str(corpus), "--out", str(trained), *TINY, "--epochs", "9", "--resume"]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in trained.iterdir() if p.is_file() and p.name != "log.csv"} == before
    assert chargen.load(trained).generate("Oil", length=5, seed=0).steps


def test_killed_mid_run_resumes_from_the_last_finished_epoch(corpus, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "killed"
    command = [sys.executable, "-m", "chargen", "train", "--data", str(corpus), "--out", str(out), *TINY, "--epochs", "500"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               cwd=os.path.dirname(os.path.dirname(__file__)))
    state = out / "checkpoint" / "state.json"
    deadline = time.time() + 120
    while not (state.exists() and json.loads(state.read_text())["epoch"] >= 2) and time.time() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)  # no chance to clean up: whatever is on disk must be whole
    process.wait()
    finished = json.loads(state.read_text())["epoch"]
    assert finished >= 2
    assert main(["train", "--data", str(corpus), "--out", str(out), *TINY, "--epochs", str(finished + 1), "--resume"]) == 0
    epochs = [int(r["epoch"]) for r in csv.DictReader(open(out / "log.csv"))]
    assert epochs[-1] == finished + 1 and epochs == sorted(set(epochs))


def test_init_fine_tunes_from_a_bundle_keeping_its_vocabulary_and_architecture(trained, corpus, tmp_path):
    out = tmp_path / "fine_tuned"
    start = chargen.load(trained)
    # A vanishing learning rate: the first epoch's validation bits must be the starting bundle's own.
    assert main(["train", "--data", str(corpus), "--out", str(out), "--init", str(trained), "--epochs", "1",
                 "--lr", "1e-12", "--batch-size", "4", "--val-fraction", "0.25", "--seed", "1"]) == 0
    tuned = chargen.load(out)
    assert tuned.card.architecture == start.card.architecture
    assert tuned.vocab.tokens == start.vocab.tokens
    assert tuned.card.validation.bits_per_token == pytest.approx(start.card.validation.bits_per_token, abs=2e-3)
    assert tuned.card.initialized_from.epochs == start.card.epochs
    assert tuned.card.initialized_from.validation == start.card.validation and tuned.card.initialized_from.bundle == str(trained)
    assert start.known_words <= tuned.known_words


def test_init_refuses_architecture_flags(trained, corpus, tmp_path, capsys):
    assert main(["train", "--data", str(corpus), "--out", str(tmp_path / "x"), "--init", str(trained), "--units", "16"]) == 2
    assert "--init keeps the bundle's architecture: drop --units" in capsys.readouterr().err
