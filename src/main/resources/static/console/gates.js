// Gate probabilities from the public artifact gated-model.params (DJL's parameter file of the gated network).
// The API has no endpoint for them; the file holds each gated layer's log α, from which
// P(z ≠ 0) = sigmoid(log α − β·log(−γ/ζ)) (the paper's eq. 12; γ = −0.1, ζ = 1.1, β the job's temperature).
//
// The file is a sequence of DJL parameter records: char 'P', a version byte, the parameter's name (Java
// modified UTF-8: u16 length, bytes), then the array as DJL's NDSerializer writes it: "NDAR" (as UTF), int
// version, a byte saying whether a name follows (and the name), the sparse format, the data type, the shape
// (int rank, rank longs, int layout count, that many chars), a byte order character, int byte length, data.

const GAMMA = -0.1;
const ZETA = 1.1;

class Reader {
  constructor(buffer, offset) {
    this.view = new DataView(buffer);
    this.bytes = new Uint8Array(buffer);
    this.at = offset;
  }
  u8() { return this.view.getUint8(this.at++); }
  u16() { const v = this.view.getUint16(this.at); this.at += 2; return v; }
  i32() { const v = this.view.getInt32(this.at); this.at += 4; return v; }
  i64() { const v = Number(this.view.getBigInt64(this.at)); this.at += 8; return v; }
  utf() {
    const n = this.u16();
    const s = new TextDecoder().decode(this.bytes.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
}

const MAGIC = [0x00, 0x04, 0x4e, 0x44, 0x41, 0x52]; // writeUTF("NDAR")

function magicAt(bytes, i) {
  return MAGIC.every((b, k) => bytes[i + k] === b);
}

/** The name of the parameter record whose array starts at i: "\0P", version, UTF name, right before it. */
function parameterNameBefore(bytes, i) {
  for (let n = 1; n <= 200 && i - n - 5 >= 0; n++) {
    const start = i - n;
    if (((bytes[start - 2] << 8) | bytes[start - 1]) === n && bytes[start - 5] === 0x00 && bytes[start - 4] === 0x50) {
      return new TextDecoder().decode(bytes.subarray(start, i));
    }
  }
  return null;
}

/** One float32 array of every log_alpha parameter, in file order (the order of the gated layers). */
export function readLogAlphas(buffer) {
  const bytes = new Uint8Array(buffer);
  const arrays = [];
  for (let i = 0; i + MAGIC.length < bytes.length; i++) {
    if (!magicAt(bytes, i) || parameterNameBefore(bytes, i) !== 'log_alpha') {
      continue;
    }
    const r = new Reader(buffer, i + MAGIC.length);
    const version = r.i32();
    if (version !== 3) {
      throw new Error(`gated-model.params: array format ${version} is not known to this page`);
    }
    if (r.u8() === 1) {
      r.utf();
    }
    r.utf(); // sparse format
    const type = r.utf();
    if (type !== 'FLOAT32') {
      throw new Error(`gated-model.params: log α stored as ${type}, expected FLOAT32`);
    }
    const rank = r.i32();
    let size = 1;
    for (let d = 0; d < rank; d++) {
      size *= r.i64();
    }
    const layouts = r.i32();
    r.at += 2 * layouts;
    const little = String.fromCharCode(r.u8()) === '<';
    const length = r.i32();
    if (length !== 4 * size) {
      throw new Error(`gated-model.params: log α of ${size} values holds ${length} bytes`);
    }
    const values = new Float32Array(size);
    for (let k = 0; k < size; k++) {
      values[k] = r.view.getFloat32(r.at + 4 * k, little);
    }
    arrays.push(values);
    i = r.at + length - 1;
  }
  return arrays;
}

/** P(z ≠ 0) of every gate, per gated layer. */
export function gateProbabilities(buffer, temperature) {
  const shift = temperature * Math.log(-GAMMA / ZETA);
  return readLogAlphas(buffer).map((logAlpha) => Array.from(logAlpha, (a) => 1 / (1 + Math.exp(-(a - shift)))));
}

/** Counts of values in `bins` equal bins over [0, 1]; the last bin includes 1. */
export function histogram(values, bins) {
  const counts = new Array(bins).fill(0);
  for (const v of values) {
    counts[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]++;
  }
  return counts;
}
