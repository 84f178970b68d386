"""The NumPy step equals the Keras model's full-sequence output."""
import numpy as np
import pytest

from chargen.fast import FastModel
from chargen.model import PRESETS, architecture, build_model


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("embedding", [0, 6])
def test_fast_step_matches_keras(cell, layers, embedding):
    import keras

    keras.utils.set_random_seed(1)
    arch = architecture("lesson", cell=cell, layers=layers, units=12, embedding=embedding, dropout=0.1)
    model = build_model(17, **arch)
    rng = np.random.default_rng(0)
    for weight in model.weights:  # non-zero biases, so the gate layout is really exercised
        if "bias" in weight.path:
            weight.assign(rng.normal(size=weight.shape) * 0.5)
    ids = rng.integers(0, 17, size=(3, 9))
    expected = model.predict(ids, verbose=0)
    fast = FastModel(model, arch)
    state = fast.initial_state(3)
    steps = []
    for t in range(ids.shape[1]):
        probs, state = fast.step(ids[:, t], state)
        steps.append(probs)
    np.testing.assert_allclose(np.stack(steps, axis=1), expected, atol=1e-5)


def test_model_contract_and_lesson_preset():
    model = build_model(30, **architecture("lesson"))
    out = model.predict(np.zeros((2, 5), dtype=np.int32), verbose=0)
    assert out.shape == (2, 5, 30)
    np.testing.assert_allclose(out.sum(-1), 1.0, atol=1e-5)
    assert PRESETS["lesson"] == dict(cell="lstm", layers=1, units=128, embedding=0, dropout=0.0, recurrent_dropout=0.0)
    rnn = model.get_layer("rnn_0")
    assert rnn.units == 128 and model.get_layer("one_hot").depth == 30
