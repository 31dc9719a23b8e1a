// A rechunk that does not fit the memory limit (issue 8, "rechunk as a stream"; issue 15, "progress under
// pressure"): a lazily generated float32 array rechunked from rows to columns, then reduced, under 256 MiB
// (through the temporary store), beside the same compute without a limit, in the same run; each in a process of
// its own so that its peak RSS is its own.
// Run: node benchmarks/spill.bench.mjs   (SPILL_BENCH_ROWS=16384 for a 512 MiB array)
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { report, round, writeResult } from "./lib.mjs";

const ROWS = Number(process.env.SPILL_BENCH_ROWS ?? 32768);
const COLS = 16384;

async function child(limitMiB) {
  const t = await import("tessera");
  const x = t.random.uniform([ROWS, COLS], { seed: 1, chunks: [256, COLS], dtype: "float32" });
  const y = x.rechunk([ROWS, 128]).max({ axis: 0 });
  let held = 0;
  const t0 = performance.now();
  await y.compute({ ...(limitMiB > 0 ? { memoryLimit: limitMiB * 2 ** 20 } : {}), onEvent: (e) => void (e.type === "task-end" && (held = Math.max(held, e.held ?? 0))) });
  const seconds = (performance.now() - t0) / 1000;
  await t.shutdown();
  process.stdout.write(JSON.stringify({ seconds, peakHeldMiB: Math.round(held / 2 ** 20), maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

const self = fileURLToPath(import.meta.url);
const measure = (limit) => JSON.parse(execFileSync(process.execPath, [self, "--child", String(limit)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));

export async function run() {
  const gib = round((ROWS * COLS * 4) / 2 ** 30);
  const pairs = [];
  for (let r = 0; r < 3; r++) {
    const free = measure(0);
    const pressed = measure(256);
    pairs.push({ free, pressed, ratio: pressed.seconds / free.seconds });
  }
  pairs.sort((a, b) => a.ratio - b.ratio);
  const mid = pairs[1];
  const rows = [
    {
      metric: `${gib} GiB float32 rechunked rows -> columns (256 x ${COLS} -> ${ROWS} x 128 blocks), then max(axis 0), memoryLimit 256 MiB (temporary store)`,
      value: round(mid.pressed.seconds),
      unit: "s",
      peakHeldMiB: mid.pressed.peakHeldMiB,
      peakRssMiB: mid.pressed.maxRssMiB,
      baseline: { name: "the same compute without a memory limit", value: round(mid.free.seconds), peakHeldMiB: mid.free.peakHeldMiB, peakRssMiB: mid.free.maxRssMiB },
      ratio: round(mid.ratio),
      ratios: pairs.map((p) => round(p.ratio)),
    },
  ];
  report("Rechunk under pressure", rows);
  console.log(`  peak held ${mid.pressed.peakHeldMiB} MiB, peak RSS ${mid.pressed.maxRssMiB} MiB (without a limit: ${mid.free.peakHeldMiB} MiB held, ${mid.free.maxRssMiB} MiB RSS); pairs ${pairs.map((p) => round(p.ratio)).join(", ")}`);
  return writeResult("spill", { rows });
}

if (process.argv[2] === "--child") await child(Number(process.argv[3]));
else if (import.meta.url === `file://${process.argv[1]}`) await run();
