// Runs every benchmark of issue 2 in turn (each also runs alone: node benchmarks/<name>.bench.mjs).
// Needs a build first: pnpm build.
const names = process.argv.slice(2).length ? process.argv.slice(2) : ["graph", "sync-overhead", "mean"];
for (const n of names) {
  const mod = await import(`./${n}.bench.mjs`);
  await mod.run();
}
