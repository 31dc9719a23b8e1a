// Type-checked by scripts/consumer-check.mjs against the packed packages (strict, NodeNext, skipLibCheck off).
import { asarray, fromSource, imread, isTesseraError, type ChunkSource, type DType, type ZarrStore } from "tessera";

const x = asarray(new Float32Array([1, 2, 3]));
const dtype: DType = x.dtype;
const source: ChunkSource = { shape: [3], dtype: "float32", chunks: [[3]], token: "t", read: async () => new Float32Array(3) };
const store: ZarrStore = { get: async () => undefined };

export async function check(): Promise<number> {
  const r = await fromSource(source).add(x).sum().compute();
  const stack = await imread(["a.png"], { mismatch: "pad", pages: "first" });
  void store;
  void dtype;
  void stack;
  try {
    return Number(r.data[0]);
  } catch (e) {
    return isTesseraError(e, "ValueError") ? -1 : -2;
  }
}
