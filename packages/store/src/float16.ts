/**
 * float16 without Float16Array (Node 20 has none; zarrita cannot open float16 arrays there): arrays are read
 * as their uint16 bit patterns and widened to float32, exactly (every float16 is a float32).
 */

let table: Float32Array | undefined;

/** The float32 value of every float16 bit pattern (256 KiB, made once). */
function halfTable(): Float32Array {
  if (table) return table;
  table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) table[h] = halfToNumber(h);
  return table;
}

/** The value of a float16 bit pattern. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The float16 bit pattern nearest to `v` (round to nearest even; NaN as 0x7e00). */
export function numberToHalf(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65520) return sign | 0x7c00; // rounds to infinity
  if (a < 2 ** -14) {
    // Subnormal: units of 2^-24, rounded to even.
    const q = a / 2 ** -24;
    let m = Math.round(q);
    if (q - Math.trunc(q) === 0.5 && m % 2 === 1) m--;
    return sign | m;
  }
  let exp = Math.floor(Math.log2(a));
  if (2 ** exp > a) exp--;
  if (2 ** (exp + 1) <= a) exp++;
  const q = (a / 2 ** exp - 1) * 1024;
  let m = Math.round(q);
  if (q - Math.trunc(q) === 0.5 && m % 2 === 1) m--;
  if (m === 1024) {
    m = 0;
    exp++;
  }
  if (exp + 15 >= 31) return sign | 0x7c00;
  return sign | ((exp + 15) << 10) | m;
}

/** float16 bit patterns widened to float32. */
export function widenHalf(bits: Uint16Array): Float32Array {
  const t = halfTable();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = t[bits[i]!]!;
  return out;
}
