/**
 * Images through sharp. `imageStack` is a ChunkSource over many files of one size ((n, h, w, c), `imagesPerChunk`
 * images per block), shapes from headers (`metadata()`, no decoding); `hugeImage` is a ChunkSource over one image
 * read region by region (`extract().raw()`, `limitInputPixels` lifted); `writeImage` writes a dense array as PNG,
 * JPEG, WebP or TIFF (lossless by default, tiled and pyramidal on request), to a temporary name then renamed.
 * sharp decodes on libuv's thread pool: it is not wrapped in worker threads.
 */
import { rename, unlink } from "node:fs/promises";
import { dirname, join, basename } from "node:path";
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { TesseraError, contiguousTile, freshAllocator, regularChunks, show, sizeOf, tokenize, type Allocator, type ChunkSource, type DType, type Dense, type Tile } from "@tessera/core";

export interface ImageInfo {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly dtype: DType;
}

let configured = false;

/**
 * sharp is set up once, at first use: 1 thread per image (stacks decode many images at once on libuv's pool,
 * which beats several threads on each image; `TESSERA_SHARP_CONCURRENCY` overrides it), and libvips' operation
 * cache off (`TESSERA_SHARP_CACHE=1` keeps it): every block reads a region or an image once, so the cache only
 * holds memory. Measured on 256 region reads of a 16384^2 RGB TIFF, 8 at a time: peak RSS 445 -> 271 MiB, and
 * no slower (0.48 -> 0.34 s).
 */
function configureSharp(): void {
  if (configured) return;
  configured = true;
  sharp.concurrency(Number(process.env["TESSERA_SHARP_CONCURRENCY"] ?? 1));
  if (process.env["TESSERA_SHARP_CACHE"] !== "1") sharp.cache(false);
}

async function info(file: string): Promise<ImageInfo & { readonly pages: number }> {
  configureSharp();
  let m: sharp.Metadata;
  try {
    m = await sharp(file, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new TesseraError("ValueError", `image ${show(file)} cannot be read (${e instanceof Error ? e.message : String(e)}): missing, or not a PNG/JPEG/TIFF/WebP image`, { cause: e });
  }
  if (!m.width || !m.height || !m.channels) throw new TesseraError("ValueError", `image ${show(file)} has no size in its header`);
  const dtype: DType | undefined = m.depth === "uchar" ? "uint8" : m.depth === "ushort" ? "uint16" : undefined;
  if (!dtype) throw new TesseraError("DTypeError", `image ${show(file)} has sample depth ${show(m.depth)}; 8- and 16-bit images are supported`);
  return { width: m.width, height: m.height, channels: m.channels, dtype, pages: m.pages ?? 1 };
}

/**
 * How many frames a file holds: every page of a multi-page file whose pages share the first page's size (a
 * TIFF stack, an animation), else one (a pyramid's pages are reductions of the first, not frames).
 */
async function framePages(file: string, pages: number): Promise<number> {
  if (pages <= 1) return 1;
  try {
    const all = await sharp(file, { limitInputPixels: false, pages: -1 }).metadata();
    return all.pageHeight !== undefined && all.height === all.pageHeight * pages ? pages : 1;
  } catch {
    return 1; // libvips refuses to load pages of different sizes together: a pyramid
  }
}

/** How one image of a stack is brought to the stack's size: stretched, or cropped/padded at the bottom and right. */
interface Fit {
  readonly mode: "resize" | "pad";
  readonly from: { readonly width: number; readonly height: number };
}

/**
 * Decodes in flight at once, across every read: twice libuv's pool (sharp's threads). Reads of many images per
 * block start all of theirs at once; a first-come queue keeps the images of earlier blocks first, so blocks
 * complete in order instead of all at the end.
 */
const DECODE_SLOTS = 2 * (Number(process.env["UV_THREADPOOL_SIZE"]) || 4);
let decoding = 0;
const waiting: (() => void)[] = [];

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (decoding >= DECODE_SLOTS) await new Promise<void>((r) => waiting.push(r));
  else decoding++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else decoding--;
  }
}

type Region = { left: number; top: number; width: number; height: number };

/** Decodes (a region of) an image, or of one page of it, to raw samples with the expected channel count (and size, with `fit`). */
function decode(file: string, want: ImageInfo, region?: Region, fit?: Fit, page = 0): Promise<Buffer> {
  return slot(() => decodeNow(file, want, region, fit, page));
}

async function decodeNow(file: string, want: ImageInfo, region: Region | undefined, fit: Fit | undefined, page: number): Promise<Buffer> {
  let img = sharp(file, { limitInputPixels: false, ...(page > 0 ? { page } : {}) });
  if (region) img = img.extract(region);
  if (fit?.mode === "resize") img = img.resize(want.width, want.height, { fit: "fill" });
  else if (fit?.mode === "pad") {
    const width = Math.min(fit.from.width, want.width);
    const height = Math.min(fit.from.height, want.height);
    if (width < fit.from.width || height < fit.from.height) img = img.extract({ left: 0, top: 0, width, height });
    if (width < want.width || height < want.height) img = img.extend({ bottom: want.height - height, right: want.width - width, background: { r: 0, g: 0, b: 0, alpha: 0 } });
  }
  // Keep the samples as they are: grey stays one channel, 16-bit stays 16-bit (sharp would make 8-bit sRGB).
  if (want.channels <= 2) img = img.toColourspace(want.dtype === "uint16" ? "grey16" : "b-w");
  else if (want.dtype === "uint16") img = img.toColourspace("rgb16");
  if (want.channels === 3) img = img.removeAlpha();
  else if (want.channels === 4) img = img.ensureAlpha();
  const { data, info: out } = await img.raw({ depth: want.dtype === "uint16" ? "ushort" : "uchar" }).toBuffer({ resolveWithObject: true });
  const [height, width] = region ? [region.height, region.width] : [want.height, want.width];
  if (out.channels !== want.channels || out.width !== width || out.height !== height) {
    throw new TesseraError("ShapeMismatch", `image ${show(file)}${page > 0 ? ` page ${page}` : ""} decoded to ${out.height} x ${out.width} x ${out.channels} where ${height} x ${width} x ${want.channels} was expected`);
  }
  return data;
}

/**
 * The samples of decoded images. One 8-bit image is a view of sharp's buffer (no copy: measured, copying it into
 * pooled memory made region reads 15% slower and a streamed normalization no faster); several images, or 16-bit
 * samples (sharp's buffer may not be 2-byte aligned), are copied into memory from the engine's allocator (pooled
 * and reused, and shared, so a worker gets the block as a handle).
 */
function samples(bufs: readonly Buffer[], dtype: DType, alloc: Allocator): Uint8Array | Uint16Array {
  const only = bufs.length === 1 ? bufs[0]! : undefined;
  if (only && dtype === "uint8") return new Uint8Array(only.buffer, only.byteOffset, only.byteLength);
  const total = bufs.reduce((n, b) => n + b.byteLength, 0);
  const out = alloc.alloc(dtype, dtype === "uint16" ? total / 2 : total) as Uint8Array | Uint16Array;
  const bytes = new Uint8Array(out.buffer, out.byteOffset, total);
  let at = 0;
  for (const b of bufs) {
    bytes.set(b, at);
    at += b.byteLength;
  }
  return out;
}

export interface StackOptions {
  /** Images per block along the first axis (default 1). */
  readonly imagesPerChunk?: number;
  /** Channels to read: 1 (grey), 3 (colour, alpha dropped) or 4 (alpha added); default: as stored. */
  readonly channels?: 1 | 3 | 4;
  /**
   * Images whose size or channel count differs from the first image's: an error naming the file and both
   * shapes ("error", the default), stretched to the first image's size ("resize"), or cropped and padded
   * with zeros at the bottom and right to it ("pad"); channels are converted to the first image's. Sample
   * depth (8 or 16 bits) must match in every case.
   */
  readonly mismatch?: "error" | "resize" | "pad";
  /**
   * Files of several pages of one size (multi-page TIFF stacks, animations): every page is a frame of the
   * stack ("all", the default, as dask-image reads them), or only the first page is ("first"). Pyramids
   * (pages of decreasing size) are always read as their first page.
   */
  readonly pages?: "all" | "first";
}

/** A stack of images of one size as a (n, h, w, c) source; the first mismatching file is an error (or fitted). */
export async function imageStack(files: readonly string[], options: StackOptions = {}): Promise<ChunkSource & { readonly files: readonly string[] }> {
  if (files.length === 0) throw new TesseraError("ValueError", "imread: no files given");
  const per = options.imagesPerChunk ?? 1;
  if (!Number.isInteger(per) || per < 1) throw new TesseraError("ChunkSpecError", `imread(imagesPerChunk): ${show(per)} must be a positive integer`);
  const ch = options.channels;
  if (ch !== undefined && ch !== 1 && ch !== 3 && ch !== 4) throw new TesseraError("ValueError", `imread(channels): ${show(ch)} must be 1, 3 or 4`);
  const mode = options.mismatch ?? "error";
  if (mode !== "error" && mode !== "resize" && mode !== "pad") throw new TesseraError("ValueError", `imread(mismatch): ${show(mode)} must be "error", "resize" or "pad"`);
  const pagesMode = options.pages ?? "all";
  if (pagesMode !== "all" && pagesMode !== "first") throw new TesseraError("ValueError", `imread(pages): ${show(pagesMode)} must be "all" or "first"`);
  // Only stacks look at pages (openImage reads the first): a second header read for multi-page files alone.
  const stored = await Promise.all(files.map(async (f) => {
    const i = await info(f);
    return { ...i, pages: pagesMode === "all" ? await framePages(f, i.pages) : 1 };
  }));
  const infos = stored.map((i) => (ch === undefined ? i : { ...i, channels: ch }));
  const first = infos[0]!;
  const fits: (Fit | undefined)[] = infos.map((i, k) => {
    const same = i.width === first.width && i.height === first.height;
    if (same && i.channels === first.channels && i.dtype === first.dtype) return undefined;
    const shapes = `${show(files[k])} is ${i.height} x ${i.width} x ${i.channels} ${i.dtype} but ${show(files[0])} is ${first.height} x ${first.width} x ${first.channels} ${first.dtype}`;
    if (i.dtype !== first.dtype) {
      throw new TesseraError("DTypeError", `imread: ${shapes}; all images of a stack must have the same sample depth (convert the files, or read them as separate stacks)`);
    }
    if (mode === "error") {
      throw new TesseraError("ShapeMismatch", `imread: ${shapes}; all images of a stack must match (or pass { mismatch: "resize" } or { mismatch: "pad" } to fit them to the first)`);
    }
    return same ? undefined : { mode, from: { width: i.width, height: i.height } };
  });
  // The frames of the stack, in order: each page of each file.
  const frameList = infos.flatMap((i, k) => Array.from({ length: i.pages }, (_, page) => ({ file: files[k]!, page, fit: fits[k] })));
  const count = frameList.length;
  const shape = [count, first.height, first.width, first.channels];
  const chunks = [regularChunks(count, per), [first.height], [first.width], [first.channels]];
  return {
    shape,
    dtype: first.dtype,
    chunks,
    files: [...files],
    token: tokenize("image-stack", files, shape, first.dtype, per, mode, pagesMode),
    async read(index, ctx): Promise<Tile> {
      const start = index[0]! * per;
      const n = chunks[0]![index[0]!]!;
      const frames = await Promise.all(frameList.slice(start, start + n).map((f) => decode(f.file, first, undefined, f.fit, f.page)));
      return contiguousTile(samples(frames, first.dtype, ctx?.alloc ?? freshAllocator), [n, first.height, first.width, first.channels], first.dtype);
    },
  };
}

/** One image, read region by region, as a (h, w, c) source with `tileSize` blocks. */
export async function hugeImage(file: string, options: { tileSize?: number | readonly [number, number] } = {}): Promise<ChunkSource> {
  const i = await info(file);
  const t = options.tileSize ?? 1024;
  const [th, tw] = typeof t === "number" ? [t, t] : t;
  if (!(th > 0 && tw > 0)) throw new TesseraError("ChunkSpecError", `openImage(tileSize): ${show(t)} must be positive`);
  const chunks = [regularChunks(i.height, th), regularChunks(i.width, tw), [i.channels]];
  return {
    shape: [i.height, i.width, i.channels],
    dtype: i.dtype,
    chunks,
    token: tokenize("image", file, i, th, tw),
    async read(index, ctx): Promise<Tile> {
      const top = index[0]! * th;
      const left = index[1]! * tw;
      const height = chunks[0]![index[0]!]!;
      const width = chunks[1]![index[1]!]!;
      const buf = await decode(file, i, { left, top, width, height });
      return contiguousTile(samples([buf], i.dtype, ctx?.alloc ?? freshAllocator), [height, width, i.channels], i.dtype);
    },
  };
}

export type ImageFormat = "png" | "jpeg" | "webp" | "tiff";

export interface WriteImageOptions {
  /** Default: from the file extension. */
  readonly format?: ImageFormat;
  /** JPEG/WebP quality (lossy formats only). */
  readonly quality?: number;
  /** TIFF: tiles of this size. */
  readonly tile?: number;
  /** TIFF: a pyramid of reduced resolutions. */
  readonly pyramid?: boolean;
  /** TIFF compression (default "deflate", lossless; sharp's own default would be lossy JPEG). */
  readonly compression?: "none" | "deflate" | "lzw" | "jpeg";
}

const EXT: Record<string, ImageFormat> = { png: "png", jpg: "jpeg", jpeg: "jpeg", webp: "webp", tif: "tiff", tiff: "tiff" };

export function imageFormat(path: string, format?: ImageFormat): ImageFormat {
  const f = format ?? EXT[path.split(".").pop()?.toLowerCase() ?? ""];
  if (!f) throw new TesseraError("ValueError", `imwrite: cannot tell the format of ${show(path)}; name a .png/.jpg/.webp/.tif file or pass { format }`);
  return f;
}

/** Checks before computing: a 2-d or 3-d (h, w, c) array of a dtype the format holds. */
export function checkImageArray(shape: readonly number[], dtype: DType, format: ImageFormat): void {
  if (shape.length !== 2 && shape.length !== 3) throw new TesseraError("ShapeMismatch", `imwrite: shape (${shape.join(", ")}) is not an image; give (h, w) or (h, w, c) with c in 1..4`);
  const c = shape[2] ?? 1;
  if (c < 1 || c > 4) throw new TesseraError("ShapeMismatch", `imwrite: ${c} channels; images have 1 to 4`);
  const ok = dtype === "uint8" || (dtype === "uint16" && (format === "png" || format === "tiff"));
  if (!ok) throw new TesseraError("DTypeError", `imwrite: ${format.toUpperCase()} cannot hold ${dtype}; use uint8${format === "png" || format === "tiff" ? " or uint16" : ""} (e.g. x.clip(0, 255).astype("uint8"))`);
  if (shape[0]! > 65535 || shape[1]! > 65535 || sizeOf(shape) > 2 ** 31) {
    throw new TesseraError("ValueError", `imwrite: a ${shape[0]} x ${shape[1]} image is too large to assemble in memory; write it with toZarr, or as a tiled TIFF in parts`);
  }
}

/** Writes a dense image array to `path` (temporary file, then rename). */
export async function writeImage(d: Dense, path: string, options: WriteImageOptions = {}): Promise<void> {
  const format = imageFormat(path, options.format);
  checkImageArray(d.shape, d.dtype, format);
  const [height, width, channels = 1] = d.shape as [number, number, number?];
  // sharp reads 16-bit samples from a Uint16Array (its depth comes from the typed array).
  const input = d.dtype === "uint16" ? (d.data as Uint16Array) : Buffer.from(d.data.buffer, d.data.byteOffset, d.data.byteLength);
  let img = sharp(input, { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 }, limitInputPixels: false });
  if (d.dtype === "uint16") img = img.toColourspace(channels === 1 ? "grey16" : "rgb16");
  else if (channels === 1) img = img.toColourspace("b-w");
  if (format === "png") img = img.png();
  else if (format === "jpeg") img = img.jpeg({ quality: options.quality ?? 90 });
  else if (format === "webp") img = img.webp(options.quality === undefined ? { lossless: true } : { quality: options.quality });
  else img = img.tiff({ compression: options.compression ?? "deflate", ...(options.tile ? { tile: true, tileWidth: options.tile, tileHeight: options.tile } : {}), ...(options.pyramid ? { pyramid: true, tile: true } : {}) });
  const temp = join(dirname(path), `.tessera-tmp-${randomBytes(6).toString("hex")}-${basename(path)}`);
  try {
    await img.toFile(temp);
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}
