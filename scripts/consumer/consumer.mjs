// Run by scripts/consumer-check.mjs inside a project that installed the packed packages: the library as a
// user's package sees it (dist only, worker entries and codec modules resolved from there).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromZarr, imread, imwrite, openImage, random, shutdown, toZarr } from "tessera";

const dir = mkdtempSync(join(tmpdir(), "tessera-consumer-"));
const threads = { scheduler: "threads", inlineBytes: 0 };
try {
  const x = random.normal([2000, 300], { seed: 1, chunks: [250, 300] });
  const m = await x.mean().compute(threads);
  await toZarr(x, join(dir, "a.zarr"), { codec: "zstd", ...threads });
  const back = await (await fromZarr(join(dir, "a.zarr"))).mean().compute(threads);
  if (Number(back.data[0]) !== Number(m.data[0])) throw new Error(`Zarr round trip: mean ${back.data[0]} !== ${m.data[0]}`);
  const stack = await imread(join(process.argv[2], "*.jpg"), { imagesPerChunk: 8 });
  await imwrite(stack.mean({ axis: 0 }).round().astype("uint8"), join(dir, "mean.png"));
  const again = await openImage(join(dir, "mean.png"));
  const direct = await stack.mean({ axis: 0 }).round().astype("uint8").compute(threads);
  const read = await again.compute(threads);
  if (Buffer.compare(Buffer.from(read.data), Buffer.from(direct.data)) !== 0) throw new Error("the mean image written and read back differs");
  console.log(`consumer: ok (stack ${stack.shape.join(" x ")}, Zarr round trip, PNG round trip)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await shutdown();
}
