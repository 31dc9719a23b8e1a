// Writes examples/data/cells/cell-01.jpg ... cell-80.jpg: 80 fluorescence-like microscopy images, 256 x 256 x 3,
// deterministic, in two groups (as in the Dask image-processing tutorial): images 1-40 hold dim green cells,
// images 41-80 brighter magenta ones, on a dark noisy background. Run: node scripts/make-cells.mjs
import { mkdirSync } from "node:fs";
import sharp from "sharp";

const N = 80;
const S = 256;
const out = new URL("../examples/data/cells/", import.meta.url);
mkdirSync(out, { recursive: true });

/** A small deterministic PRNG (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (let k = 1; k <= N; k++) {
  const r = rng(k * 7919);
  const bright = k > N / 2;
  const colour = bright ? [0.95, 0.25, 0.85] : [0.2, 0.9, 0.3];
  const peak = bright ? 230 : 150;
  const img = new Float32Array(S * S * 3);
  for (let i = 0; i < img.length; i++) img[i] = 8 + 6 * r();
  const cells = 12 + Math.floor(r() * 10);
  for (let c = 0; c < cells; c++) {
    const cy = r() * S;
    const cx = r() * S;
    const rad = 6 + r() * 10;
    const amp = peak * (0.6 + 0.4 * r());
    const y0 = Math.max(0, Math.floor(cy - 3 * rad));
    const y1 = Math.min(S, Math.ceil(cy + 3 * rad));
    const x0 = Math.max(0, Math.floor(cx - 3 * rad));
    const x1 = Math.min(S, Math.ceil(cx + 3 * rad));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const g = amp * Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * rad * rad));
        for (let ch = 0; ch < 3; ch++) img[(y * S + x) * 3 + ch] += g * colour[ch];
      }
    }
  }
  const bytes = Buffer.from(Uint8Array.from(img, (v) => Math.max(0, Math.min(255, Math.round(v)))));
  await sharp(bytes, { raw: { width: S, height: S, channels: 3 } }).jpeg({ quality: 90 }).toFile(new URL(`cell-${String(k).padStart(2, "0")}.jpg`, out).pathname);
}
console.log(`wrote ${N} images to examples/data/cells/`);
