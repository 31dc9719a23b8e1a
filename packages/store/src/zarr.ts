/**
 * Zarr through zarrita. `openZarr` reads v2 and v3 arrays (any codec zarrita knows, missing chunks as the
 * fill value) as a ChunkSource; `createZarr` makes an array (v3, or v2 for zarr-python 2 users) and returns
 * a ChunkSink that writes each chunk whole, compressed, atomically (temporary file, then rename).
 */
import { TesseraError, bufferId, isDType, regularChunks, show, tokenize, type ChunkSink, type ChunkSource, type DType, type Tile } from "@tessera/core";
import * as zarr from "zarrita";
import { blockOfChunk, encodeBlock, type DecodeParams, type EncodeParams } from "./codec-kernels.js";
import { codecSpec, compressor, registerGzip, type CodecName, type CodecSpec } from "./codecs.js";
import { numberToHalf } from "./float16.js";
import { AtomicFileStore } from "./fs-store.js";
import type { RawChunkParams } from "./raw-chunks.js";

registerGzip();

/**
 * Any key-value store in zarrita's shape: keys are absolute paths ("/raw/zarr.json"). Reading needs `get`;
 * writing needs `set` (and `delete` to overwrite). `AtomicFileStore` is the file-system one (atomic writes);
 * others, e.g. `@zarrita/storage`'s FetchStore for HTTP, make their own guarantees.
 */
export interface ZarrStore {
  get(key: `/${string}`): Promise<Uint8Array | undefined>;
  set?(key: `/${string}`, value: Uint8Array): Promise<void>;
  has?(key: `/${string}`): Promise<boolean>;
  delete?(prefix: `/${string}`): Promise<void>;
  /** Where the store is (a directory, a URL), for messages and keys. */
  readonly root?: string | URL;
  readonly url?: string | URL;
}

/** A directory (made an AtomicFileStore) or a store. */
export type StoreLike = string | ZarrStore;

const storeOf = (target: StoreLike): ZarrStore => (typeof target === "string" ? new AtomicFileStore(target) : target);

const ids = new WeakMap<object, string>();
let nextId = 0;

/** A name for a store: its root or URL, else an id of the object (so its arrays get keys of their own). */
function storeName(store: ZarrStore): string {
  const where = store.root ?? store.url;
  if (where !== undefined) return String(where);
  let id = ids.get(store);
  if (id === undefined) ids.set(store, (id = `store#${++nextId}`));
  return id;
}

const hasKey = async (store: ZarrStore, key: `/${string}`): Promise<boolean> => (store.has ? store.has(key) : (await store.get(key)) !== undefined);

function writable(store: ZarrStore, what: string): Required<Pick<ZarrStore, "set">> & ZarrStore {
  if (typeof store.set !== "function") throw new TesseraError("ValueError", `${what}: the store ${show(storeName(store))} cannot be written (it has no set method); write to a directory or a writable store`);
  return store as Required<Pick<ZarrStore, "set">> & ZarrStore;
}

/** The codec kernels, as workers import them: dist/ from both src/ (tests) and dist/. */
const KERNELS = new URL("../dist/codec-kernels.js", import.meta.url).href;
/** The loader of uncompressed chunk files (imports no codec). */
const RAW_KERNELS = new URL("../dist/raw-chunks.js", import.meta.url).href;

const abs = (path: string): `/${string}` => (path === "" || path === "/" ? "/" : `/${path.replace(/^\/+|\/+$/g, "")}`);
const join = (a: `/${string}`, b: string): `/${string}` => (a === "/" ? `/${b}` : `${a}/${b}`);

export interface OpenZarrOptions {
  /** The array's path inside the store (default: the root). */
  readonly path?: string;
}

export async function openZarr(target: StoreLike, options: OpenZarrOptions = {}): Promise<ChunkSource & { readonly attributes: Record<string, unknown>; readonly zarrFormat: 2 | 3 }> {
  const store = storeOf(target);
  const name = storeName(store);
  const path = abs(options.path ?? "");
  const v3Key = join(path, "zarr.json");
  const v3Bytes = await store.get(v3Key);
  const metaKey = v3Bytes ? v3Key : join(path, ".zarray");
  const metaBytes = v3Bytes ?? (await store.get(metaKey));
  if (!metaBytes) throw new TesseraError("ValueError", `fromZarr: no Zarr array at ${show(name)} path ${show(path)} (neither zarr.json nor .zarray); check the path, or give { path } inside the store`);
  const zarrFormat: 2 | 3 = v3Bytes ? 3 : 2;
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(new TextDecoder().decode(metaBytes)) as Record<string, unknown>;
  } catch (e) {
    throw new TesseraError("ValueError", `fromZarr: the metadata ${show(metaKey)} in ${show(name)} is not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  const declared = meta["data_type"] ?? meta["dtype"];
  // float16: zarrita reads the bit patterns as uint16 (the metadata is rewritten on the way in), widened to float32 here.
  const half = declared === "float16" || declared === "<f2" || declared === ">f2";
  // The metadata as zarrita reads it (and as the workers' decoders get it).
  const metaText = half ? halfAsUint16(meta, zarrFormat) : new TextDecoder().decode(metaBytes);
  const metaOut = new TextEncoder().encode(metaText);
  const opened: ZarrStore = half ? { get: async (key) => (key === metaKey ? metaOut : store.get(key)), root: name } : store;
  let arr: zarr.Array<zarr.DataType, ZarrStore>;
  try {
    arr = await zarr.open(zarr.root(opened).resolve(path), { kind: "array" });
  } catch (e) {
    throw new TesseraError("ValueError", `fromZarr: the Zarr array at ${show(name)} path ${show(path)} cannot be opened: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const dtype = half ? "float32" : (arr.dtype as string);
  const sharded = zarrFormat === 3 && ((meta["codecs"] as { name?: string }[] | undefined) ?? []).some((c) => c.name === "sharding_indexed");
  if (!isDType(dtype)) throw new TesseraError("DTypeError", `fromZarr: dtype ${show(dtype)} of ${show(path)} is not supported; supported: bool, (u)int8-64, float16 (read as float32), float32, float64`);
  const shape = [...arr.shape];
  const chunkShape = [...arr.chunks];
  const chunks = shape.map((n, d) => regularChunks(n, chunkShape[d]!));
  const token = tokenize("zarr", name, path, shape, chunkShape, declared, zarrFormat);
  const chunkKey = chunkKeyOf(meta, zarrFormat);
  const decodeParams: Omit<DecodeParams, "index"> = {
    meta: metaText,
    metaKey,
    path,
    half,
    dtype,
    shape,
    chunkShape,
  };
  const raw = store instanceof AtomicFileStore && !half && shape.length > 0 ? rawParams(meta, zarrFormat, store.root, path) : undefined;
  return {
    shape,
    dtype,
    chunks,
    token,
    attributes: { ...arr.attrs },
    zarrFormat,
    // Uncompressed chunks in files: read on any thread straight into tile memory.
    ...(raw ? { load: { module: RAW_KERNELS, export: "loadRawChunk", params: { ...raw, dtype, shape, chunkShape, fill: fillParam(arr.fillValue) } } } : {}),
    // Bytes fetched here, decoded on any thread (sharded arrays are read whole by zarrita instead).
    ...(sharded
      ? {}
      : {
          fetch: (index: readonly number[]) => store.get(join(path, chunkKey(index))),
          decode: { module: KERNELS, export: "decodeChunk", params: decodeParams },
        }),
    async read(index): Promise<Tile> {
      return blockOfChunk(await arr.getChunk([...index]), { ...decodeParams, index });
    },
  };
}

/**
 * Bytes a store may keep: the engine reuses pooled memory once a write has finished, so a store that keeps the
 * value it is given (an in-memory map) gets a copy; the file store has written it out when `set` resolves.
 */
const owned = (store: ZarrStore, bytes: Uint8Array): Uint8Array => (store instanceof AtomicFileStore || bufferId(bytes.buffer) === undefined ? bytes : bytes.slice());

/** A fill value as a number, or a decimal string for 64-bit integers (null is 0, as zarrita fills). */
function fillParam(v: unknown): number | string {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "boolean") return v ? 1 : 0;
  return 0;
}

/**
 * Where an array's chunk files are and how they are named, when its chunks are stored raw: no compressor, no
 * filters, little-endian (or single-byte) samples, C order; undefined for any other layout.
 */
function rawParams(meta: Record<string, unknown>, format: 2 | 3, root: string, path: `/${string}`): Pick<RawChunkParams, "dir" | "prefix" | "separator"> | undefined {
  const dir = path === "/" ? root : `${root}${path}`;
  if (format === 2) {
    const filters = meta["filters"] as unknown[] | null | undefined;
    const dt = String(meta["dtype"]);
    const plain = meta["compressor"] === null && (!filters || filters.length === 0) && (meta["order"] ?? "C") === "C" && (dt.startsWith("<") || dt.startsWith("|"));
    return plain ? { dir, prefix: "", separator: (meta["dimension_separator"] as string | undefined) ?? "." } : undefined;
  }
  const codecs = (meta["codecs"] as { name?: string; configuration?: { endian?: string } }[] | undefined) ?? [];
  const only = codecs.length === 1 ? codecs[0]! : undefined;
  if (only?.name !== "bytes" || (only.configuration?.endian ?? "little") !== "little") return undefined;
  const enc = meta["chunk_key_encoding"] as { name?: string; configuration?: { separator?: string } } | undefined;
  if (enc?.name === "v2") return { dir, prefix: "", separator: enc.configuration?.separator ?? "." };
  const sep = enc?.configuration?.separator ?? "/";
  return { dir, prefix: `c${sep}`, separator: sep };
}

/** The key of a chunk inside the array's directory, per the metadata's chunk key encoding. */
function chunkKeyOf(meta: Record<string, unknown>, format: 2 | 3): (index: readonly number[]) => string {
  if (format === 2) {
    const sep = (meta["dimension_separator"] as string | undefined) ?? ".";
    return (index) => (index.length ? index.join(sep) : "0");
  }
  const enc = meta["chunk_key_encoding"] as { name?: string; configuration?: { separator?: string } } | undefined;
  if (enc?.name === "v2") {
    const sep = enc.configuration?.separator ?? ".";
    return (index) => (index.length ? index.join(sep) : "0");
  }
  const sep = enc?.configuration?.separator ?? "/";
  return (index) => ["c", ...index].join(sep);
}

/** The fill value of float16 metadata as the bit pattern zarrita will fill uint16 chunks with. */
function halfFill(fill: unknown): number | null {
  if (fill === null || fill === undefined) return null;
  if (typeof fill === "string") {
    if (/^0x[0-9a-f]{1,4}$/i.test(fill)) return Number.parseInt(fill.slice(2), 16);
    const special: Record<string, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };
    if (fill in special) return numberToHalf(special[fill]!);
  }
  if (typeof fill === "number") return numberToHalf(fill);
  throw new TesseraError("ValueError", `fromZarr: float16 fill value ${show(fill)} is not a number, "NaN", "Infinity", "-Infinity" or a 0x bit pattern`);
}

/** A float16 array's metadata rewritten as uint16 (the same bytes per element), as JSON. */
function halfAsUint16(meta: Record<string, unknown>, format: 2 | 3): string {
  const rewritten =
    format === 3
      ? { ...meta, data_type: "uint16", fill_value: halfFill(meta["fill_value"]) ?? 0 }
      : { ...meta, dtype: String(meta["dtype"]).replace("f2", "u2"), fill_value: halfFill(meta["fill_value"]) };
  return JSON.stringify(rewritten);
}

export interface CreateZarrOptions {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The chunk shape (every chunk but edge ones). */
  readonly chunkShape: readonly number[];
  readonly path?: string;
  readonly codec?: CodecSpec | CodecName;
  readonly zarrFormat?: 2 | 3;
  readonly overwrite?: boolean;
  readonly attributes?: Record<string, unknown>;
  readonly fillValue?: number;
}

const V2_DTYPES: Record<DType, string> = { bool: "|b1", int8: "|i1", uint8: "|u1", int16: "<i2", uint16: "<u2", int32: "<i4", uint32: "<u4", int64: "<i8", uint64: "<u8", float32: "<f4", float64: "<f8" };

export async function createZarr(target: StoreLike, options: CreateZarrOptions): Promise<ChunkSink & { readonly store: ZarrStore; readonly path: string }> {
  const store = writable(storeOf(target), "toZarr");
  const name = storeName(store);
  const path = abs(options.path ?? "");
  const format = options.zarrFormat ?? 3;
  if (format !== 2 && format !== 3) throw new TesseraError("ValueError", `toZarr(zarrFormat): ${show(format)} must be 2 or 3`);
  const exists = (await hasKey(store, join(path, "zarr.json"))) || (await hasKey(store, join(path, ".zarray")));
  if (exists && !options.overwrite) {
    throw new TesseraError("ValueError", `toZarr: an array already exists at ${show(name)} path ${show(path)}; pass { overwrite: true } to replace it`);
  }
  if (exists) {
    if (typeof store.delete !== "function") throw new TesseraError("ValueError", `toZarr: the store ${show(name)} cannot delete the array at ${show(path)} to overwrite it (it has no delete method); remove it first, or write elsewhere`);
    await store.delete(path);
  }
  const { shape, dtype } = options;
  const chunkShape = options.chunkShape.map((c, d) => Math.max(1, Math.min(c, Math.max(1, shape[d]!))));
  const comp = await compressor(options.codec, dtype);
  const fill = options.fillValue ?? 0;
  if (format === 3) {
    const codecs = [{ name: "bytes", configuration: { endian: "little" } }, ...(comp.v3 ? [comp.v3] : [])];
    await zarr.create(zarr.root(store).resolve(path), {
      shape: [...shape],
      chunkShape,
      dtype: dtype as zarr.DataType,
      codecs,
      // A JSON number for every numeric dtype (zarrita cannot serialise a BigInt fill value).
      fillValue: (dtype === "bool" ? fill !== 0 : fill) as never,
      ...(options.attributes ? { attributes: options.attributes } : {}),
    });
  } else {
    const meta = { zarr_format: 2, shape, chunks: chunkShape, dtype: V2_DTYPES[dtype], compressor: comp.v2, fill_value: dtype === "bool" ? fill !== 0 : fill, order: "C", filters: null, dimension_separator: "." };
    await store.set(join(path, ".zarray"), new TextEncoder().encode(JSON.stringify(meta)));
    await store.set(join(path, ".zattrs"), new TextEncoder().encode(JSON.stringify(options.attributes ?? {})));
  }
  const chunks = shape.map((n, d) => regularChunks(n, chunkShape[d]!));
  const token = tokenize("zarr-sink", name, path, shape, chunkShape, dtype, format);
  const key = (index: readonly number[]): `/${string}` =>
    format === 3 ? join(path, ["c", ...index].join("/")) : join(path, index.length ? index.join(".") : "0");
  const encodeParams = { codec: codecSpec(options.codec), dtype, chunkShape, fill } satisfies EncodeParams;
  return {
    chunks,
    token,
    store,
    path,
    async write(index, tile) {
      await store.set(key(index), await encodeBlock(tile, encodeParams));
    },
    // Encoded on any thread, stored here.
    encode: { module: KERNELS, export: "encodeChunk", params: encodeParams },
    put: (index, bytes) => store.set(key(index), owned(store, bytes)),
  };
}

export interface RegionSinkOptions {
  readonly path?: string;
  /** Per axis [start, stop) of the existing array to write; starts must fall on chunk boundaries. */
  readonly region: readonly (readonly [number, number])[];
}

/** The codec an existing array was written with, as a spec for `compressor` (the ones `createZarr` writes). */
function codecOf(meta: Record<string, unknown>, format: 2 | 3): CodecSpec {
  if (format === 2) {
    const c = meta["compressor"] as { id?: string; level?: number; clevel?: number } | null;
    if (!c) return { name: "none" };
    if (c.id === "gzip" || c.id === "zstd") return { name: c.id, ...(c.level !== undefined ? { level: c.level } : {}) };
    if (c.id === "blosc") return { name: "blosc", ...(c.clevel !== undefined ? { level: c.clevel } : {}) };
    throw new TesseraError("ValueError", `store: the array's compressor ${show(c.id)} cannot be written here; use toZarr to a new array`);
  }
  const codecs = (meta["codecs"] as { name: string; configuration?: { level?: number; clevel?: number } }[]) ?? [];
  const c = codecs.find((x) => x.name !== "bytes");
  if (!c) return { name: "none" };
  if (c.name === "gzip" || c.name === "zstd") return { name: c.name, ...(c.configuration?.level !== undefined ? { level: c.configuration.level } : {}) };
  if (c.name === "blosc") return { name: "blosc", ...(c.configuration?.clevel !== undefined ? { level: c.configuration.clevel } : {}) };
  throw new TesseraError("ValueError", `store: the array's codec ${show(c.name)} cannot be written here; use toZarr to a new array`);
}

/**
 * A sink over a chunk-aligned region of an existing Zarr array (dask's `store(regions=...)`): block `index` of the
 * region goes to the array's chunk `index + region start / chunk`.
 */
export async function regionSink(target: StoreLike, options: RegionSinkOptions): Promise<ChunkSink & { readonly shape: readonly number[]; readonly dtype: DType }> {
  const store = writable(storeOf(target), "store");
  const name = storeName(store);
  const path = abs(options.path ?? "");
  const v3 = await store.get(join(path, "zarr.json"));
  const v2 = v3 ? undefined : await store.get(join(path, ".zarray"));
  if (!v3 && !v2) throw new TesseraError("ValueError", `store: no Zarr array at ${show(name)} path ${show(path)}; create it first (toZarr or createZarr)`);
  const meta = JSON.parse(new TextDecoder().decode(v3 ?? v2)) as Record<string, unknown>;
  const format: 2 | 3 = v3 ? 3 : 2;
  const shape = meta["shape"] as number[];
  const chunkShape = format === 3 ? ((meta["chunk_grid"] as { configuration: { chunk_shape: number[] } }).configuration.chunk_shape) : (meta["chunks"] as number[]);
  const dtype = (format === 3 ? meta["data_type"] : Object.entries(V2_DTYPES).find(([, v]) => v === meta["dtype"])?.[0]) as DType;
  const fill = Number(meta["fill_value"] ?? 0) || 0;
  if (!isDType(dtype)) throw new TesseraError("DTypeError", `store: the target array holds ${show(format === 3 ? meta["data_type"] : meta["dtype"])}, which cannot be written here; write a new array with toZarr`);
  if (options.region.length !== shape.length) throw new TesseraError("ValueError", `store(region): ${show(options.region)} has ${options.region.length} entries; the array has ${shape.length} axes`);
  options.region.forEach(([a, b], d) => {
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b <= shape[d]! && a < b) || a % chunkShape[d]! !== 0 || (b % chunkShape[d]! !== 0 && b !== shape[d])) {
      throw new TesseraError("ChunkSpecError", `store(region): [${a}, ${b}) on axis ${d} must lie in [0, ${shape[d]}) and start and end on chunk boundaries (multiples of ${chunkShape[d]}, or the end)`);
    }
  });
  const spec = codecOf(meta, format);
  const encodeParams = { codec: spec, dtype, chunkShape, fill } satisfies EncodeParams;
  const start = options.region.map(([a], d) => a / chunkShape[d]!);
  const separator = format === 2 ? ((meta["dimension_separator"] as string | undefined) ?? ".") : "/";
  const key = (index: readonly number[]): `/${string}` => {
    const c = index.map((b, d) => b + start[d]!);
    return format === 3 ? join(path, ["c", ...c].join("/")) : join(path, c.length ? c.join(separator) : "0");
  };
  return {
    shape: options.region.map(([a, b]) => b - a),
    dtype,
    chunks: options.region.map(([a, b], d) => regularChunks(b - a, chunkShape[d]!)),
    token: tokenize("zarr-region", name, path, options.region),
    async write(index, tile) {
      await store.set(key(index), await encodeBlock(tile, encodeParams));
    },
    encode: { module: KERNELS, export: "encodeChunk", params: encodeParams },
    put: (index, bytes) => store.set(key(index), owned(store, bytes)),
  };
}
