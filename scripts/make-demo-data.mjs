// Writes examples/data/temperatures.f32 (+ .json): hourly temperatures of 20 stations over 365 days,
// shape (20, 365, 24), float32 little-endian, deterministic (a seasonal and daily cycle per station plus
// hashed noise). Run: node scripts/make-demo-data.mjs
import { writeFileSync } from "node:fs";

const [S, D, H] = [20, 365, 24];
const data = new Float32Array(S * D * H);
const noise = (i) => {
  let x = (i * 2654435761) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d) >>> 0;
  x ^= x >>> 12;
  return (x % 10000) / 10000 - 0.5;
};
for (let s = 0; s < S; s++) {
  const base = 4 + 0.8 * s; // stations further south are warmer
  const amp = 10 - 0.2 * s;
  for (let d = 0; d < D; d++) {
    const season = -Math.cos((2 * Math.PI * (d - 15)) / 365) * amp;
    for (let h = 0; h < H; h++) {
      const daily = -Math.cos((2 * Math.PI * (h - 3)) / 24) * 4;
      const i = (s * D + d) * H + h;
      data[i] = base + season + daily + 3 * noise(i);
    }
  }
}
const url = new URL("../examples/data/", import.meta.url);
writeFileSync(new URL("temperatures.f32", url), new Uint8Array(data.buffer));
writeFileSync(new URL("temperatures.json", url), `${JSON.stringify({ shape: [S, D, H], dtype: "float32", order: "C", axes: ["station", "day", "hour"], units: "degC" }, null, 2)}\n`);
console.log(`wrote examples/data/temperatures.f32 (${data.byteLength} bytes)`);
