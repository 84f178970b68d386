// The one loop decoding spends its time in: out[g] += x . matrix[g] over the rows of a transposed matrix, float32
// weights with float64 sums. WebAssembly's 128-bit SIMD runs it 2 to 3 times faster than plain JavaScript
// (benchmarks/web.py); where a browser lacks it, the same sums run in JavaScript. The WebAssembly module is
// written out below as its bytes (no build step, no tool): one function, "project".

const SIMD = 0xfd;
const op = {
  localGet: 0x20, localSet: 0x21, i32Const: 0x41, i32Add: 0x6a, i32Mul: 0x6c, i32Shl: 0x74, i32LtU: 0x49, i32GeU: 0x4f,
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b, f64Load: 0x2b, f64Store: 0x39, f64Add: 0xa0,
};
const simd = { load: [0x00], const: [0x0c], shuffle: [0x0d], f64x2ExtractLane: [0x21], f64x2Add: [0xf0, 0x01],
  f64x2Mul: [0xf2, 0x01], f64x2PromoteLowF32x4: [0x5f] };

function leb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
const text = (s) => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

// project(matrix, rows, width4, x, out): byte offsets; width4 a multiple of 4 (rows padded with zeros).
// Locals: 5 g, 6 row, 7 xp, 8 end, 9 low (v128), 10 high (v128), 11 w (v128).
const [M, ROWS, WIDTH, X, OUT, G, ROW, XP, END, LOW, HIGH, W] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const get = (i) => [op.localGet, i], set = (i) => [op.localSet, i], i32 = (n) => [op.i32Const, ...leb(n)];
const v128 = (code, ...immediates) => [SIMD, ...code, ...immediates];
const memarg = (align, offset) => [align, ...leb(offset)];
const ZERO = v128(simd.const, ...new Array(16).fill(0));
const HIGH_HALF = v128(simd.shuffle, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7); // lanes 2, 3 of four floats first
const outAddress = [...get(OUT), ...get(G), ...i32(3), op.i32Shl, op.i32Add];
const BODY = [
  ...i32(0), ...set(G),
  op.block, 0x40, op.loop, 0x40,
  ...get(G), ...get(ROWS), op.i32GeU, op.brIf, 1,
  ...get(M), ...get(G), ...get(WIDTH), op.i32Mul, ...i32(2), op.i32Shl, op.i32Add, ...set(ROW),
  ...get(ROW), ...get(WIDTH), ...i32(2), op.i32Shl, op.i32Add, ...set(END),
  ...get(X), ...set(XP), ...ZERO, ...set(LOW), ...ZERO, ...set(HIGH),
  op.block, 0x40, ...get(ROW), ...get(END), op.i32GeU, op.brIf, 0, op.loop, 0x40,
  ...get(ROW), ...v128(simd.load, ...memarg(2, 0)), ...set(W),
  ...get(LOW), ...get(W), ...v128(simd.f64x2PromoteLowF32x4), ...get(XP), ...v128(simd.load, ...memarg(3, 0)),
  ...v128(simd.f64x2Mul), ...v128(simd.f64x2Add), ...set(LOW),
  ...get(HIGH), ...get(W), ...get(W), ...HIGH_HALF, ...v128(simd.f64x2PromoteLowF32x4), ...get(XP),
  ...v128(simd.load, ...memarg(3, 16)), ...v128(simd.f64x2Mul), ...v128(simd.f64x2Add), ...set(HIGH),
  ...get(ROW), ...i32(16), op.i32Add, ...set(ROW), ...get(XP), ...i32(32), op.i32Add, ...set(XP),
  ...get(ROW), ...get(END), op.i32LtU, op.brIf, 0,
  op.end, op.end,
  ...outAddress, ...outAddress, op.f64Load, ...memarg(3, 0),
  ...get(LOW), ...v128(simd.f64x2ExtractLane, 0), ...get(LOW), ...v128(simd.f64x2ExtractLane, 1), op.f64Add,
  ...get(HIGH), ...v128(simd.f64x2ExtractLane, 0), ...get(HIGH), ...v128(simd.f64x2ExtractLane, 1), op.f64Add,
  op.f64Add, op.f64Add, op.f64Store, ...memarg(3, 0),
  ...get(G), ...i32(1), op.i32Add, ...set(G), op.br, 0,
  op.end, op.end, op.end,
];
const CODE = [...leb(2), ...leb(4), 0x7f, ...leb(3), 0x7b, ...BODY]; // locals: 4 x i32, 3 x v128
const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
  ...section(2, [1, ...text("env"), ...text("memory"), 0x02, 0x00, 1]),
  ...section(3, [1, 0]),
  ...section(7, [1, ...text("project"), 0x00, 0]),
  ...section(10, [1, ...leb(CODE.length), ...CODE]),
]);

const PAGE = 65536;

/** Matrices and vectors in one memory, and ``project`` over them: WebAssembly's, or JavaScript's where it is missing. */
export class Kernel {
  constructor({ wasm = true } = {}) {
    this.memory = new WebAssembly.Memory({ initial: 1 });
    this.used = 0;
    this.wasm = null;
    if (wasm && WebAssembly.validate(MODULE)) {
      this.wasm = new WebAssembly.Instance(new WebAssembly.Module(MODULE), { env: { memory: this.memory } }).exports.project;
    }
  }

  get name() {
    return this.wasm ? "WebAssembly SIMD" : "JavaScript";
  }

  allocate(bytes) {
    const at = this.used;
    this.used += Math.ceil(bytes / 16) * 16;
    const missing = Math.ceil((this.used - this.memory.buffer.byteLength) / PAGE);
    if (missing > 0) this.memory.grow(missing);
    return at;
  }

  /** The transpose of a (width x rows) float32 tensor, in memory: one row of weights per output, padded to 4 with zeros. */
  matrix({ data, shape: [width, rows] }) {
    const width4 = Math.ceil(width / 4) * 4;
    const matrix = { rows, width, width4, at: this.allocate(rows * width4 * 4) };
    const floats = this.floats(matrix);
    for (let r = 0; r < width; r++) for (let c = 0; c < rows; c++) floats[c * width4 + r] = data[r * rows + c];
    return matrix;
  }

  /** A float64 vector of ``length`` (padded to 4, the padding zero). */
  vector(length) {
    return { length, at: this.allocate(Math.ceil(length / 4) * 4 * 8) };
  }

  floats(matrix) {
    return new Float32Array(this.memory.buffer, matrix.at, matrix.rows * matrix.width4);
  }

  doubles(vector) {
    return new Float64Array(this.memory.buffer, vector.at, vector.length);
  }

  /** out[g] += x . matrix[g] for every row g; ``x`` a vector of the matrix's width, ``out`` one of its rows. */
  project(matrix, x, out) {
    if (this.wasm) return this.wasm(matrix.at, matrix.rows, matrix.width4, x.at, out.at);
    const width = matrix.width4, w = this.floats(matrix), sums = this.doubles(out);
    const xs = new Float64Array(this.memory.buffer, x.at, width); // with its padding
    for (let g = 0, row = 0; g < matrix.rows; g++, row += width) {
      let sum = 0;
      for (let i = 0; i < width; i++) sum += xs[i] * w[row + i];
      sums[g] += sum;
    }
  }
}
