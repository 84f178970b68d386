// The noise of chargen's random_stream, as NumPy makes it: SeedSequence(seed, spawn_key=prompt ids)
// -> PCG64 (XSL-RR) -> standard_exponential (the ziggurat) -> Gumbel -log(E), rounded to float32.
// Integers above 32 bits are kept as 16-bit limbs in plain numbers: BigInt is 20x slower per draw.


// SeedSequence's hash constants (numpy/random/bit_generator.pyx).
const INIT_A = 0x43b0d7e5, MULT_A = 0x931e8875, INIT_B = 0x8b51f9dd, MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd, MIX_MULT_R = 0x4973f715, XSHIFT = 16, POOL_SIZE = 4;

function toUint32Words(value) {
  // A non-negative integer (number or BigInt) as little-endian 32-bit words; 0 is [0].
  let n = BigInt(value);
  const words = [];
  do {
    words.push(Number(n & 0xffffffffn));
    n >>= 32n;
  } while (n > 0n);
  return words;
}

function mix(x, y) {
  let result = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
  return (result ^ (result >>> XSHIFT)) >>> 0;
}

/** SeedSequence(entropy, spawn_key).generate_state(words) as uint32 words. */
export function seedSequenceState(entropy, spawnKey = [], words = 8) {
  let run = toUint32Words(entropy);
  const spawn = spawnKey.flatMap(toUint32Words);
  if (spawn.length && run.length < POOL_SIZE) run = run.concat(new Array(POOL_SIZE - run.length).fill(0));
  const assembled = run.concat(spawn);
  let hashConst = INIT_A;
  const hashmix = (value) => {
    value = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> XSHIFT)) >>> 0;
  };
  const pool = new Array(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < assembled.length ? assembled[i] : 0);
  for (let src = 0; src < POOL_SIZE; src++)
    for (let dst = 0; dst < POOL_SIZE; dst++) if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
  for (let src = POOL_SIZE; src < assembled.length; src++)
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst], hashmix(assembled[src]));
  const state = new Array(words);
  let constB = INIT_B;
  for (let i = 0; i < words; i++) {
    let value = (pool[i % POOL_SIZE] ^ constB) >>> 0;
    constB = Math.imul(constB, MULT_B) >>> 0;
    value = Math.imul(value, constB) >>> 0;
    state[i] = (value ^ (value >>> XSHIFT)) >>> 0;
  }
  return state;
}

// PCG64's multiplier, 2549297995355413924 * 2**64 + 4865540595714422341, as 16-bit limbs, low first.
const MULTIPLIER = limbs128(0x2360ed05, 0x1fc65da4, 0x4385df64, 0x9fccf645);

function limbs128(w3, w2, w1, w0) {
  return Float64Array.from([w0 & 0xffff, w0 >>> 16, w1 & 0xffff, w1 >>> 16, w2 & 0xffff, w2 >>> 16, w3 & 0xffff, w3 >>> 16]);
}

/** NumPy's PCG64 seeded from a SeedSequence state (4 uint64 = 8 uint32 words): next64() gives [high, low] 32-bit words. */
export class PCG64 {
  constructor(words) {
    // generate_state(4, uint64): words[0..1] is the first uint64 (low word first); seed = s[0] << 64 | s[1], inc = s[2] << 64 | s[3].
    const seed = limbs128(words[1], words[0], words[3], words[2]);
    const sequence = [words[5], words[4], words[7], words[6]];
    // inc = (initseq << 1) | 1
    const shifted = [
      ((sequence[0] << 1) | (sequence[1] >>> 31)) >>> 0, ((sequence[1] << 1) | (sequence[2] >>> 31)) >>> 0,
      ((sequence[2] << 1) | (sequence[3] >>> 31)) >>> 0, ((sequence[3] << 1) | 1) >>> 0,
    ];
    this.inc = limbs128(...shifted);
    this.state = new Float64Array(8);
    this.next = new Float64Array(8);
    this.step();
    this.add(seed);
    this.step();
    this.high = 0;
    this.low = 0;
  }

  add(value) {
    let carry = 0;
    for (let k = 0; k < 8; k++) {
      const sum = this.state[k] + value[k] + carry;
      this.state[k] = sum % 65536;
      carry = sum >= 65536 ? 1 : 0;
    }
  }

  step() {
    // state = state * MULTIPLIER + inc (mod 2**128): 16-bit limbs keep every partial sum exact in a double.
    const s = this.state, m = MULTIPLIER, out = this.next;
    let carry = 0;
    for (let k = 0; k < 8; k++) {
      let sum = carry + this.inc[k];
      for (let i = 0; i <= k; i++) sum += s[i] * m[k - i];
      const limb = sum & 0xffff; // the low 16 bits of a whole number below 2**53 (& reads it modulo 2**32)
      out[k] = limb;
      carry = (sum - limb) / 65536;
    }
    this.next = s;
    this.state = out;
  }

  /** The next uint64, left in this.high and this.low (XSL-RR: rotate hi ^ lo right by hi >>> 58). */
  next64() {
    this.step();
    const s = this.state;
    const hi = ((s[7] * 65536 + s[6]) ^ (s[3] * 65536 + s[2])) >>> 0;
    const lo = ((s[5] * 65536 + s[4]) ^ (s[1] * 65536 + s[0])) >>> 0;
    const rot = s[7] >>> 10;
    if (rot === 0) {
      this.high = hi;
      this.low = lo;
    } else if (rot < 32) {
      this.high = ((hi >>> rot) | (lo << (32 - rot))) >>> 0;
      this.low = ((lo >>> rot) | (hi << (32 - rot))) >>> 0;
    } else if (rot === 32) {
      this.high = lo;
      this.low = hi;
    } else {
      const r = rot - 32;
      this.high = ((lo >>> r) | (hi << (32 - r))) >>> 0;
      this.low = ((hi >>> r) | (lo << (32 - r))) >>> 0;
    }
  }

  /** A double in [0, 1) from the top 53 bits, as NumPy's next_double. */
  nextDouble() {
    this.next64();
    return (this.high * 2097152 + (this.low >>> 11)) / 9007199254740992;
  }
}

/** NumPy's Generator(PCG64(SeedSequence(seed, spawn_key))). */
export function randomStream(seed, spawnKey, ziggurat) {
  return new Exponential(new PCG64(seedSequenceState(seed, spawnKey)), ziggurat);
}

/** standard_exponential by NumPy's ziggurat (tables from the exported model: chargen/web_export.py). */
export class Exponential {
  constructor(bits, { r, ke, we, fe }) {
    this.bits = bits;
    this.r = r;
    this.ke = Float64Array.from(ke);
    this.we = Float64Array.from(we);
    this.fe = Float64Array.from(fe);
  }

  next() {
    const bits = this.bits;
    for (;;) {
      bits.next64();
      const idx = (bits.low >>> 3) & 0xff;
      const ri = bits.high * 2097152 + (bits.low >>> 11); // the uint64 >> 11: 53 bits, exact
      const x = ri * this.we[idx];
      if (ri < this.ke[idx]) return x;
      if (idx === 0) return this.r - Math.log1p(-bits.nextDouble());
      if ((this.fe[idx - 1] - this.fe[idx]) * bits.nextDouble() + this.fe[idx] < Math.exp(-x)) return x;
    }
  }

  /** One row of standard Gumbel noise, -log(E) rounded to float32, as sampling.gumbel_noise. */
  gumbelRow(size, out = new Float32Array(size)) {
    for (let i = 0; i < size; i++) out[i] = -Math.log(this.next());
    return out;
  }
}

