/**
 * Zarr codec work as module kernels (`ModuleKernelRef`): the engine runs them on any thread, workers
 * included, so decoding and encoding chunks leaves the main thread to fetching and storing bytes. Both
 * go through the same code as the main-thread path: zarrita's codec pipeline to decode (over a store that
 * holds only the metadata and hands back the fetched bytes), `chunkBytes` and `compressor` to encode.
 */
import { blockShape, contiguousTile, regularChunks, type DType, type Tile, type TypedArray } from "@tessera/core";
import * as zarr from "zarrita";
import { chunkBytes } from "./chunk-bytes.js";
import { compressor, registerGzip, type CodecSpec, type Compressor } from "./codecs.js";
import { widenHalf } from "./float16.js";

registerGzip();

export interface DecodeParams {
  /** The array's metadata document (float16 already rewritten to uint16), its key, and the array's path. */
  readonly meta: string;
  readonly metaKey: `/${string}`;
  readonly path: `/${string}`;
  readonly half: boolean;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly chunkShape: readonly number[];
  readonly index: readonly number[];
}

/** zarrita passes a chunk request's options through to the store's get: they carry the fetched bytes. */
type Fetched = zarr.GetOptions & { readonly bytes?: Uint8Array };
const arrays = new Map<string, Promise<zarr.Array<zarr.DataType, zarr.Readable>>>();

/** zarrita's array over a store that holds the metadata and returns, for a chunk, the bytes passed with the request. */
function arrayFor(p: DecodeParams): Promise<zarr.Array<zarr.DataType, zarr.Readable>> {
  const id = `${p.metaKey}\n${p.meta}`;
  let a = arrays.get(id);
  if (!a) {
    const metaBytes = new TextEncoder().encode(p.meta);
    const store: zarr.Readable = { get: async (key, opts?: Fetched) => (key === p.metaKey ? metaBytes : opts?.bytes) };
    a = zarr.open(zarr.root(store).resolve(p.path), { kind: "array" });
    arrays.set(id, a);
  }
  return a;
}

/** A typed array of a chunk as our dtype's storage (zarrita returns BoolArray for bool). */
function chunkData(data: unknown, dtype: DType): TypedArray {
  if (dtype === "bool") {
    const d = data as { buffer: ArrayBuffer; byteOffset?: number; length: number };
    return new Uint8Array(d.buffer, d.byteOffset ?? 0, d.length);
  }
  return data as TypedArray;
}

/** A chunk zarrita decoded, as block `p.index` of our array: float16 widened, edge chunks cut to the block. */
export function blockOfChunk(c: { readonly data: unknown; readonly stride: readonly number[] }, p: Pick<DecodeParams, "half" | "dtype" | "shape" | "chunkShape" | "index">): Tile {
  const data = p.half ? widenHalf(c.data as Uint16Array) : chunkData(c.data, p.dtype);
  // Edge chunks are stored whole: the block is the part inside the array.
  const shape = blockShape(p.shape.map((n, d) => regularChunks(n, p.chunkShape[d]!)), p.index);
  return { data, shape, dtype: p.dtype, strides: [...c.stride], offset: 0 };
}

/** Decodes the fetched bytes of one chunk (empty: the chunk is missing, so it is the fill value) to its block. */
export async function decodeChunk(inputs: readonly Tile[], p: DecodeParams): Promise<Tile> {
  const t = inputs[0]!;
  const bytes = t.shape[0]! > 0 ? new Uint8Array(t.data.buffer, t.data.byteOffset + t.offset, t.shape[0]!) : undefined;
  const arr = await arrayFor(p);
  return blockOfChunk(await arr.getChunk([...p.index], (bytes ? { bytes } : {}) as Fetched), p);
}

export interface EncodeParams {
  readonly codec: CodecSpec;
  readonly dtype: DType;
  readonly chunkShape: readonly number[];
  readonly fill: number;
}

const compressors = new Map<string, Promise<Compressor>>();

/** One block as its chunk's bytes: padded to the chunk shape with the fill value, compressed. */
export async function encodeBlock(tile: Tile, p: EncodeParams): Promise<Uint8Array> {
  const id = `${p.codec.name}:${p.codec.level ?? ""}:${p.dtype}`;
  let comp = compressors.get(id);
  if (!comp) {
    comp = compressor(p.codec, p.dtype);
    compressors.set(id, comp);
  }
  return (await comp).encode(chunkBytes(tile, p.chunkShape, p.dtype, p.fill));
}

/** Encodes one block as its chunk's bytes: a 1-d uint8 tile. */
export async function encodeChunk(inputs: readonly Tile[], p: EncodeParams): Promise<Tile> {
  const bytes = await encodeBlock(inputs[0]!, p);
  return contiguousTile(bytes, [bytes.length], "uint8");
}
