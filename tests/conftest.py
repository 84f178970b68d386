"""Shared fixtures: tiny corpora and tiny (untrained) bundles, made in the test."""
import contextlib
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TITLES = [
    "Stocks rise as oil falls",
    "Oil prices fall again",
    "Team wins the cup final",
    "New phone sales rise",
    "President visits Moscow",
    "Rain stops play in final",
    "Stocks fall on oil fears",
    "Moscow talks end, oil up",
]


def make_bundle(directory, level="char", cell="lstm", layers=1, units=8, embedding=0, texts=TITLES, seed=0,
                normalization="none", dropout=0.0):
    """A bundle with random weights: enough to test everything but the quality of text."""
    import keras

    from chargen import bundle
    from chargen.card import Architecture, Card, Data
    from chargen.model import architecture, build_model
    from chargen.vocab import LEVELS

    keras.utils.set_random_seed(seed)
    vocab = LEVELS[level].build(texts, normalization)
    arch = architecture("lesson", cell=cell, layers=layers, units=units, embedding=embedding, dropout=dropout)
    model = build_model(len(vocab), **arch)
    card = Card(level=level, architecture=Architecture(**arch), parameters=model.count_params(),
                data=Data(source="tests", normalization=normalization), epochs=0)
    bundle.save_bundle(directory, model, vocab, card)
    return Path(directory)


@pytest.fixture(scope="session")
def char_bundle(tmp_path_factory):
    return make_bundle(tmp_path_factory.mktemp("char") / "bundle")


@pytest.fixture(scope="session")
def gen(char_bundle):
    import chargen

    return chargen.load(char_bundle)


TINY_TRAINING = ["--epochs", "2", "--units", "8", "--batch-size", "4", "--val-fraction", "0.25", "--seed", "1"]  # seconds


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """A text file of the tiny titles, three times over: enough to train on for a second."""
    path = tmp_path_factory.mktemp("corpus") / "titles.txt"
    path.write_text("\n".join(TITLES * 3) + "\n")
    return path


@pytest.fixture
def titles_csv(tmp_path):
    path = tmp_path / "titles.csv"
    path.write_text("".join(f'"{i % 4 + 1}","{t}","About {t.lower()}."\n' for i, t in enumerate(TITLES)))
    return path


def pytest_configure(config):
    # Keras and tf.data warnings about their own internals are noise in test output.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning")
    config.addinivalue_line("filterwarnings", "ignore:`shuffle=True` was passed:UserWarning")


# -- the running app, for tests/test_app_*.py ---------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def word_bundle(tmp_path_factory):
    return make_bundle(tmp_path_factory.mktemp("word") / "bundle", level="word")


@contextlib.contextmanager
def serve_app(log_dir, *bundles, **env):
    """``python app.py BUNDLE...`` as a user starts it, on a free loopback port; yields its URL."""
    import subprocess
    import time
    import urllib.request

    root = Path(__file__).resolve().parent.parent
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False", **env}
    env.pop("GRADIO_SERVER_NAME", None)  # the app must bind to loopback by itself
    log_path = Path(log_dir) / "app.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([sys.executable, "app.py", *map(str, bundles)], cwd=root, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120  # generous: CI machines can be slow to import TensorFlow
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"app.py did not serve {url}:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="session")
def app_url(word_bundle, tmp_path_factory):
    """The app with the shipped bundles plus a tiny word bundle."""
    with serve_app(tmp_path_factory.mktemp("app"), word_bundle) as url:
        yield url
