/**
 * Counter-based random numbers: the value at flat position g of an array depends only on (seed, g,
 * stream), never on the chunking or on the order blocks run in. The mixer is the "lowbias32" integer
 * hash (Wellons), applied over the seed and both 32-bit halves of g; 53-bit uniforms take two draws.
 */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

function hash(seed: number, g: number, stream: number): number {
  const lo = g >>> 0;
  const hi = Math.floor(g / 4294967296) >>> 0;
  return mix(mix(mix(seed ^ Math.imul(stream + 1, 0x9e3779b9)) ^ lo) ^ mix(hi + 0x632be5ab));
}

/** A uniform double in [0, 1) for position g. */
export function uniform01(seed: number, g: number, stream: number): number {
  const a = hash(seed, g, 2 * stream) >>> 5; // 27 bits
  const b = hash(seed, g, 2 * stream + 1) >>> 6; // 26 bits
  return (a * 67108864 + b) / 9007199254740992;
}

/** A standard normal for position g (Box-Muller on two independent uniforms). */
export function normal01(seed: number, g: number): number {
  const u1 = 1 - uniform01(seed, g, 0); // (0, 1]
  const u2 = uniform01(seed, g, 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
