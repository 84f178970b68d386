"""Shared fixtures: tiny corpora and tiny (untrained) bundles, made in the test."""
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


def make_bundle(directory, level="char", cell="lstm", layers=1, units=8, embedding=0, texts=TITLES, seed=0):
    """A bundle with random weights: enough to test everything but the quality of text."""
    import keras

    from chargen import bundle
    from chargen.model import architecture, build_model
    from chargen.vocab import LEVELS

    keras.utils.set_random_seed(seed)
    vocab = LEVELS[level].build(texts)
    arch = architecture("lesson", cell=cell, layers=layers, units=units, embedding=embedding)
    model = build_model(len(vocab), **arch)
    bundle.save_bundle(directory, model, vocab, {"architecture": arch, "data": {"source": "tests"}, "epochs": 0})
    return Path(directory)


@pytest.fixture(scope="session")
def char_bundle(tmp_path_factory):
    return make_bundle(tmp_path_factory.mktemp("char") / "bundle")


@pytest.fixture(scope="session")
def gen(char_bundle):
    import chargen

    return chargen.load(char_bundle)


@pytest.fixture
def titles_csv(tmp_path):
    path = tmp_path / "titles.csv"
    path.write_text("".join(f'"{i % 4 + 1}","{t}","About {t.lower()}."\n' for i, t in enumerate(TITLES)))
    return path


def pytest_configure(config):
    # Keras and tf.data warnings about their own internals are noise in test output.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning")
    config.addinivalue_line("filterwarnings", "ignore:`shuffle=True` was passed:UserWarning")
