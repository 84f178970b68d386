// chargen/fast.py in JavaScript: one step of the Keras model, one token at a time.
// LSTM gates in Keras' order i, f, c, o; GRU with reset_after in order z, r, h. Kernels are kept
// transposed (one row per gate column), so each gate is a dot product over contiguous memory, and
// widened to float64 (sums are JavaScript's doubles): four rows at a time, two terms a row per turn,
// is what V8 runs fastest (benchmarks/web.mjs).

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

function transpose({ data, shape: [rows, cols] }) {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** x . matrix[g] for each row g of a transposed (rows x width) matrix, added to ``out[g]``. */
function project(matrix, width, x, out) {
  const rows = out.length, even = width & ~1;
  let g = 0;
  for (; g + 4 <= rows; g += 4) {
    const a = g * width, b = a + width, c = b + width, d = c + width;
    let a0 = 0, b0 = 0, c0 = 0, d0 = 0, a1 = 0, b1 = 0, c1 = 0, d1 = 0;
    for (let i = 0; i < even; i += 2) {
      const x0 = x[i], x1 = x[i + 1];
      a0 += x0 * matrix[a + i]; b0 += x0 * matrix[b + i]; c0 += x0 * matrix[c + i]; d0 += x0 * matrix[d + i];
      a1 += x1 * matrix[a + i + 1]; b1 += x1 * matrix[b + i + 1]; c1 += x1 * matrix[c + i + 1]; d1 += x1 * matrix[d + i + 1];
    }
    if (even < width) {
      const x0 = x[even];
      a0 += x0 * matrix[a + even]; b0 += x0 * matrix[b + even]; c0 += x0 * matrix[c + even]; d0 += x0 * matrix[d + even];
    }
    out[g] += a0 + a1; out[g + 1] += b0 + b1; out[g + 2] += c0 + c1; out[g + 3] += d0 + d1;
  }
  for (; g < rows; g++) {
    let sum = 0;
    for (let i = 0, row = g * width; i < width; i++) sum += x[i] * matrix[row + i];
    out[g] += sum;
  }
}

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

export class Network {
  constructor(architecture, tensors) {
    const { cell, layers, units, embedding } = architecture;
    this.cell = cell;
    this.units = units;
    this.gates = (cell === "lstm" ? 4 : 3) * units;
    this.embedding = embedding ? Float64Array.from(tensors.embedding.data) : null;
    this.layers = [];
    for (let i = 0; i < layers; i++) {
      const kernel = tensors[`rnn_${i}.kernel`], bias = tensors[`rnn_${i}.bias`].data;
      const oneHot = i === 0 && !embedding; // one-hot @ kernel is a row of the kernel: kept as it is
      this.layers.push({
        inputs: kernel.shape[0],
        kernel: oneHot ? Float64Array.from(kernel.data) : transpose(kernel),
        oneHot,
        recurrent: transpose(tensors[`rnn_${i}.recurrent`]),
        inputBias: cell === "lstm" ? bias : bias.subarray(0, this.gates),
        recurrentBias: cell === "lstm" ? null : bias.subarray(this.gates),
      });
    }
    this.output = transpose(tensors["output.kernel"]);
    this.outputBias = tensors["output.bias"].data;
    this.vocabSize = this.outputBias.length;
    this.z = new Float64Array(this.gates);
    this.hz = new Float64Array(this.gates);
  }

  /** Zero state per layer: {h, c} (LSTM) or {h} (GRU). */
  initialState() {
    return this.layers.map(() => ({ h: new Float64Array(this.units), c: new Float64Array(this.units) }));
  }

  /** Feed one token: the next logits (float32, as Keras computes them; ``outBias`` replaces the output
   * bias, with -Infinity at ids that must never be chosen) and the new state (the old one is kept). */
  step(id, state, outBias) {
    const u = this.units, z = this.z, next = [];
    let x = null;
    this.layers.forEach((layer, i) => {
      if (layer.oneHot) {
        for (let g = 0, row = id * this.gates; g < this.gates; g++) z[g] = layer.kernel[row + g] + layer.inputBias[g];
      } else {
        z.set(layer.inputBias);
        project(layer.kernel, layer.inputs, i ? x : this.embedding.subarray(id * layer.inputs, (id + 1) * layer.inputs), z);
      }
      const { h: hPrevious, c: cPrevious } = state[i];
      const h = new Float64Array(u), c = new Float64Array(u);
      if (this.cell === "lstm") {
        project(layer.recurrent, u, hPrevious, z);
        for (let j = 0; j < u; j++) {
          c[j] = sigmoid(z[u + j]) * cPrevious[j] + sigmoid(z[j]) * Math.tanh(z[2 * u + j]);
          h[j] = sigmoid(z[3 * u + j]) * Math.tanh(c[j]);
        }
      } else {
        const hz = this.hz;
        hz.set(layer.recurrentBias);
        project(layer.recurrent, u, hPrevious, hz);
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

  /** The output layer: logits (float32) of the top layer's h. */
  logits(h, outBias) {
    const sums = Float64Array.from(outBias); // -Infinity stays: masked ids keep their -Infinity
    project(this.output, this.units, h, sums);
    return Float32Array.from(sums);
  }

  /** Feed a prompt once: the last step's logits and the state. */
  read(ids, outBias) {
    let state = this.initialState(), logits = null;
    for (const id of ids) ({ logits, state } = this.step(id, state, outBias));
    return { logits, state };
  }
}
