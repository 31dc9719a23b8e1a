// Shared benchmark helpers: timing, machine facts, and results written to benchmarks/results/<name>.json.
// Every figure is reported beside a baseline measured in the same run, as a ratio.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** Runs `fn` `reps` times (after `warmup` runs) and returns the times in seconds, sorted. */
export async function timeIt(fn, { reps = 5, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
  }
  return times.sort((a, b) => a - b);
}

export const median = (xs) => xs[Math.floor(xs.length / 2)];

export function machine() {
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.arch()}`,
  };
}

/** Peak resident set size of this process so far, in MiB. */
export const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

export function writeResult(name, body) {
  const dir = join(here, "results");
  mkdirSync(dir, { recursive: true });
  const out = { benchmark: name, date: new Date().toISOString(), machine: machine(), ...body };
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(out, null, 2)}\n`);
  return out;
}

export function report(name, rows) {
  console.log(`\n${name}`);
  for (const r of rows) {
    const ratio = r.ratio !== undefined ? `; ratio ${r.ratio}` : "";
    const rss = r.peakRssMiBDuringReads !== undefined ? `; RSS ${r.rssMiBBeforeReads} MiB before the reads, at most ${r.peakRssMiBDuringReads} MiB during them` : "";
    console.log(`  ${r.metric}: ${r.value} ${r.unit}  (baseline ${r.baseline.name}: ${r.baseline.value} ${r.baseline.unit ?? r.unit}${ratio}${r.goal ? `; goal ${r.goal}` : ""}${rss})`);
    if (r.secondBaseline) console.log(`    second baseline ${r.secondBaseline.name}: ${r.secondBaseline.value} ${r.unit}; ratio ${r.secondBaseline.ratio}`);
  }
}

export const round = (x, d = 3) => Number(x.toPrecision(d));
