// Run by test/memory.test.ts in a process of its own (peak RSS is a process's high-water mark): writes a 1 GiB
// float32 array as uncompressed Zarr, or reads it back and centres it, under a 128 MiB memory limit, and prints
// its peak RSS. Plain ESM on the built packages (a child process runs no TypeScript).
import { fromZarr, random, toZarr, compute, shutdown } from "tessera";
const [dir, phase] = process.argv.slice(2);
const limit = 128 * 2 ** 20;
if (phase === "write") await toZarr(random.uniform([16384, 16384], { seed: 1, chunks: [1024, 1024], dtype: "float32" }), dir, { codec: "none", zarrFormat: 2, memoryLimit: limit });
else {
  const x = await fromZarr(dir);
  const [m, s] = await compute(x.mean(), x.sub(x.mean({ axis: 0 })).std(), { memoryLimit: limit });
  process.stderr.write(`${m.data[0]} ${s.data[0]}\n`);
}
await shutdown();
process.stdout.write(JSON.stringify({ maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
