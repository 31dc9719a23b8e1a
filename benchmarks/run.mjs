// Runs every benchmark, each in its own Node process (so one's memory never counts in another's peak
// RSS). Needs a build first (pnpm bench builds). Pass names to run some: node benchmarks/run.mjs mean speedup
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const all = ["graph", "sync-overhead", "mean", "threads-overhead", "speedup", "reduction-8g", "zarr", "images", "ooc", "spill"];
const names = process.argv.slice(2).length ? process.argv.slice(2) : all;
for (const n of names) {
  const file = fileURLToPath(new URL(`./${n}.bench.mjs`, import.meta.url));
  execFileSync(process.execPath, ["--max-old-space-size=8192", file], { stdio: "inherit" });
}
