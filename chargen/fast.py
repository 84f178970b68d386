"""A NumPy step of the Keras model, for decoding one token at a time.

It reproduces Keras' cells (tested against the Keras model to 1e-5): LSTM gates
in Keras' order i, f, c, o; GRU with ``reset_after=True`` in order z, r, h.
Three folds keep a step to a handful of NumPy calls, which is what bounds speed
at these sizes:

- the input layer (one-hot or embedding), the first layer's input kernel and its
  bias become one lookup table: the first projection is a row lookup;
- ``sigmoid(x) = 0.5 + 0.5 * tanh(x / 2)``: the sigmoid gates' columns are
  pre-scaled by 1/2, so one ``tanh`` over all gates serves sigmoid and tanh alike;
- weights are float32, which is what Keras computes in.
"""
from __future__ import annotations

import numpy as np


class FastModel:
    """Weights taken from a built Keras model of ``model.build_model``."""

    def __init__(self, keras_model, arch: dict):
        self.cell = arch["cell"]
        self.units = u = int(arch["units"])
        layers = {layer.name: layer for layer in keras_model.layers}
        table = None
        if int(arch["embedding"]):
            table = np.asarray(layers["embedding"].get_weights()[0], np.float64)
        # Columns of sigmoid gates are halved (see module doc); tanh gates are kept.
        gate_scale = np.ones(4 * u) if self.cell == "lstm" else np.ones(3 * u)
        if self.cell == "lstm":
            gate_scale[: 2 * u] = gate_scale[3 * u :] = 0.5  # i, f, o
        else:
            gate_scale[: 2 * u] = 0.5  # z, r
        # After the one tanh, a * sigmoid_scale + sigmoid_offset turns the sigmoid gates' columns
        # into 0.5 * tanh + 0.5 and leaves the tanh gate's as they are (both in place).
        self.sigmoid_scale = gate_scale.astype(np.float32)
        self.sigmoid_offset = (1.0 - gate_scale).astype(np.float32)
        self.layers = []  # per layer: (input kernel or lookup table, recurrent kernel, recurrent bias or None)
        for i in range(int(arch["layers"])):
            kernel, recurrent, bias = (np.asarray(w, np.float64) for w in layers[f"rnn_{i}"].get_weights())
            input_bias, recurrent_bias = (bias, None) if self.cell == "lstm" else (bias[0], bias[1])
            if i == 0:
                kernel = kernel if table is None else table @ kernel  # one-hot @ W is a row of W
                kernel = kernel + input_bias  # so the lookup carries the bias
            self.layers.append((
                (kernel * gate_scale).astype(np.float32),
                (recurrent * gate_scale).astype(np.float32),
                None if i == 0 else (input_bias * gate_scale).astype(np.float32),
                None if recurrent_bias is None else (recurrent_bias * gate_scale).astype(np.float32),
            ))
        out_w, out_b = layers["output"].get_weights()
        self.out_w, self.out_b = np.asarray(out_w, np.float32), np.asarray(out_b, np.float32)

    def initial_state(self, batch: int):
        """Zero state per layer: (h, c) for LSTM, (h,) for GRU."""
        n = 2 if self.cell == "lstm" else 1
        return [tuple(np.zeros((batch, self.units), np.float32) for _ in range(n)) for _ in self.layers]

    def step(self, ids, state):
        """One token per row: ``ids`` (batch,) -> (probabilities (batch, vocab) float64, new state)."""
        logits, state = self.logits(ids, state)
        logits = logits.astype(np.float64)
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        return probs, state

    def logits(self, ids, state, out_bias=None):
        """Like ``step`` but returns float32 logits; ``out_bias`` replaces the output bias
        (the decoder passes one with -inf at ids that must never be chosen)."""
        u = self.units
        new_state = []
        x = None
        for i, (kernel, recurrent, input_bias, recurrent_bias) in enumerate(self.layers):
            if i:
                projected = x @ kernel + input_bias
            else:  # one row: a view, about 1 µs cheaper than a gather
                projected = kernel[ids[0], None] if len(ids) == 1 else kernel[ids]
            if self.cell == "lstm":  # in place where it can be: at these sizes each NumPy call counts
                h, c = state[i]
                a = h @ recurrent
                a += projected
                np.tanh(a, out=a)
                a *= self.sigmoid_scale  # the i, f, o gates' sigmoids (their columns were halved)
                a += self.sigmoid_offset
                c = a[:, u : 2 * u] * c
                c += a[:, :u] * a[:, 2 * u : 3 * u]
                h = np.tanh(c)
                h *= a[:, 3 * u :]
                new_state.append((h, c))
            else:
                (h,) = state[i]
                hz = h @ recurrent + recurrent_bias
                gates = np.tanh(projected[:, : 2 * u] + hz[:, : 2 * u]) * 0.5 + 0.5
                update, reset = gates[:, :u], gates[:, u:]
                candidate = np.tanh(projected[:, 2 * u :] + reset * hz[:, 2 * u :])
                h = candidate + update * (h - candidate)
                new_state.append((h,))
            x = h
        logits = x @ self.out_w
        logits += self.out_b if out_bias is None else out_bias
        return logits, new_state

    def read(self, ids: list[int], batch: int = 1, out_bias=None):
        """Feed a prompt once; return the last step's logits and the state."""
        state = self.initial_state(batch)
        logits = None
        for token in ids:
            logits, state = self.logits(np.full(batch, token), state, out_bias)
        return logits, state
