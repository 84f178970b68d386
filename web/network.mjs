// chargen/fast.py in JavaScript: one step of the Keras model, one token at a time.
// LSTM gates in Keras' order i, f, c, o; GRU with reset_after in order z, r, h. The matrix products run in
// kernel.mjs (kernels transposed, one row per gate column, float32 weights, float64 sums); the gates, the
// state and everything else in float64 JavaScript.
import { Kernel } from "./kernel.mjs";

function float16ToFloat32(bits) {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i], exponent = (h >> 10) & 0x1f, fraction = h & 0x3ff, sign = h & 0x8000 ? -1 : 1;
    out[i] = exponent === 0 ? sign * fraction * 2 ** -24
      : exponent === 31 ? (fraction ? NaN : sign * Infinity)
      : sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

/** The tensors of weights.bin by name, as Float32Arrays (float16 ones widened), from model.json's list. */
export function readTensors(buffer, entries) {
  const tensors = {};
  for (const { name, shape, dtype, offset, bytes } of entries) {
    const data = dtype === "float16"
      ? float16ToFloat32(new Uint16Array(buffer.slice(offset, offset + bytes)))
      : new Float32Array(buffer, offset, bytes / 4);
    tensors[name] = { data, shape };
  }
  return tensors;
}

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

export class Network {
  /** ``kernel``: where the products run (a Kernel; ``new Kernel({wasm: false})`` for plain JavaScript). */
  constructor(architecture, tensors, kernel = new Kernel()) {
    const { cell, layers, units, embedding } = architecture;
    Object.assign(this, { cell, units, kernel, gates: (cell === "lstm" ? 4 : 3) * units });
    this.embedding = embedding ? Float64Array.from(tensors.embedding.data) : null;
    const spec = [];
    for (let i = 0; i < layers; i++) {
      const kernelTensor = tensors[`rnn_${i}.kernel`], bias = tensors[`rnn_${i}.bias`].data;
      const oneHot = i === 0 && !embedding; // one-hot @ kernel is a row of the kernel: kept as it is, in JavaScript
      spec.push({
        inputs: kernelTensor.shape[0], oneHot,
        rows: oneHot ? Float64Array.from(kernelTensor.data) : null,
        kernel: oneHot ? null : kernel.matrix(kernelTensor),
        recurrent: kernel.matrix(tensors[`rnn_${i}.recurrent`]),
        x: oneHot ? null : kernel.vector(kernelTensor.shape[0]), h: kernel.vector(units),
        inputBias: cell === "lstm" ? bias : bias.subarray(0, this.gates),
        recurrentBias: cell === "lstm" ? null : bias.subarray(this.gates),
      });
    }
    this.output = kernel.matrix(tensors["output.kernel"]);
    this.outputBias = tensors["output.bias"].data;
    this.vocabSize = this.outputBias.length;
    const z = kernel.vector(this.gates), hz = kernel.vector(this.gates), top = kernel.vector(units);
    const logits = kernel.vector(this.vocabSize);
    // Views of the kernel's memory, made once its every part is allocated (growing it would detach them).
    this.layers = spec.map((layer) => ({ ...layer, xView: layer.x && kernel.doubles(layer.x), hView: kernel.doubles(layer.h) }));
    Object.assign(this, { z, hz, top, logitsVector: logits, zView: kernel.doubles(z), hzView: kernel.doubles(hz),
      topView: kernel.doubles(top), logitsView: kernel.doubles(logits) });
  }

  /** Zero state per layer: {h, c} (LSTM) or {h} (GRU). */
  initialState() {
    return this.layers.map(() => ({ h: new Float64Array(this.units), c: new Float64Array(this.units) }));
  }

  /** Feed one token: the next logits (float32, as Keras computes them; ``outBias`` replaces the output
   * bias, with -Infinity at ids that must never be chosen) and the new state (the old one is kept). */
  step(id, state, outBias) {
    const u = this.units, z = this.zView, kernel = this.kernel, next = [];
    let x = null;
    this.layers.forEach((layer, i) => {
      const { h: hPrevious, c: cPrevious } = state[i];
      if (layer.oneHot) {
        for (let g = 0, row = id * this.gates; g < this.gates; g++) z[g] = layer.rows[row + g] + layer.inputBias[g];
      } else {
        layer.xView.set(i ? x : this.embedding.subarray(id * layer.inputs, (id + 1) * layer.inputs));
        z.set(layer.inputBias);
        kernel.project(layer.kernel, layer.x, this.z);
      }
      layer.hView.set(hPrevious);
      const h = new Float64Array(u), c = new Float64Array(u);
      if (this.cell === "lstm") {
        kernel.project(layer.recurrent, layer.h, this.z);
        for (let j = 0; j < u; j++) {
          c[j] = sigmoid(z[u + j]) * cPrevious[j] + sigmoid(z[j]) * Math.tanh(z[2 * u + j]);
          h[j] = sigmoid(z[3 * u + j]) * Math.tanh(c[j]);
        }
      } else {
        const hz = this.hzView;
        hz.set(layer.recurrentBias);
        kernel.project(layer.recurrent, layer.h, this.hz);
        for (let j = 0; j < u; j++) {
          const update = sigmoid(z[j] + hz[j]), reset = sigmoid(z[u + j] + hz[u + j]);
          const candidate = Math.tanh(z[2 * u + j] + reset * hz[2 * u + j]);
          h[j] = candidate + update * (hPrevious[j] - candidate);
        }
      }
      next.push({ h, c });
      x = h;
    });
    return { logits: this.logits(x, outBias), state: next };
  }

  /** The output layer: logits (float32) of the top layer's h; masked ids keep their -Infinity. */
  logits(h, outBias) {
    this.topView.set(h);
    this.logitsView.set(outBias);
    this.kernel.project(this.output, this.top, this.logitsVector);
    return Float32Array.from(this.logitsView);
  }

  /** Feed a prompt once: the last step's logits and the state. */
  read(ids, outBias) {
    let state = this.initialState(), logits = null;
    for (const id of ids) ({ logits, state } = this.step(id, state, outBias));
    return { logits, state };
  }
}
