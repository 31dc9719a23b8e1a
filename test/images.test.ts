import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { asarray, imread, imwrite, isTesseraError, openImage, slice, type DType, type SchedulerEvent } from "tessera";
import { writeTiledTiff } from "../scripts/tiled-tiff.mjs";
import { makeData, mismatch, ravel, tabulate, type Ref } from "./helpers/reference.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-img-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a reference image with sharp directly (not through Tessera). */
async function writeRef(file: string, r: Ref, format: "png" | "tiff"): Promise<void> {
  const [h, w, c] = r.shape as [number, number, number];
  const data = r.dtype === "uint16" ? Uint16Array.from(r.values) : Buffer.from(Uint8Array.from(r.values));
  let img = sharp(data, { raw: { width: w, height: h, channels: c as 1 | 3 | 4 } });
  img = r.dtype === "uint16" ? img.toColourspace(c === 1 ? "grey16" : "rgb16") : c === 1 ? img.toColourspace("b-w") : img;
  await (format === "png" ? img.png() : img.tiff({ compression: "deflate" })).toFile(file);
}

describe("imread: stacks of images", () => {
  for (const [dtype, channels, format] of [["uint8", 3, "png"], ["uint8", 1, "png"], ["uint8", 4, "png"], ["uint16", 1, "png"], ["uint16", 3, "tiff"]] as [DType, number, "png" | "tiff"][]) {
    it(`${dtype} x ${channels} channels (${format}), natural order, blocks of k images`, async () => {
      const sub = mkdtempSync(join(dir, "stack-"));
      const refs: Ref[] = [];
      for (const k of [1, 2, 10, 3]) {
        const { ref } = makeData(dtype, [6, 5, channels], k, { positive: true });
        refs[k] = ref;
        await writeRef(join(sub, `img${k}.${format}`), ref, format);
      }
      for (const per of [1, 3]) {
        const x = await imread(join(sub, `img*.${format}`), { imagesPerChunk: per });
        expect(x.shape).toEqual([4, 6, 5, channels]);
        expect(x.dtype).toBe(dtype);
        // Natural order: img1, img2, img3, img10.
        const order = [1, 2, 3, 10];
        const expected = { values: order.flatMap((k) => refs[k]!.values), shape: [4, 6, 5, channels], dtype };
        expect(mismatch(await x.compute(), expected, 0)).toBeUndefined();
      }
    });
  }

  it("mismatched sizes and missing or corrupt files are errors that name the file", async () => {
    const sub = mkdtempSync(join(dir, "bad-"));
    await writeRef(join(sub, "a.png"), makeData("uint8", [4, 4, 3], 1).ref, "png");
    await writeRef(join(sub, "b.png"), makeData("uint8", [4, 5, 3], 2).ref, "png");
    await expect(imread(join(sub, "*.png"))).rejects.toSatisfy((e: unknown) => isTesseraError(e, "ShapeMismatch") && /b\.png/.test((e as Error).message) && /4 x 5 x 3/.test((e as Error).message));
    writeFileSync(join(sub, "c.jpg"), "not an image");
    await expect(imread([join(sub, "c.jpg")])).rejects.toSatisfy((e: unknown) => isTesseraError(e, "ValueError") && /c\.jpg/.test((e as Error).message));
    await expect(imread([join(sub, "missing.png")])).rejects.toSatisfy((e: unknown) => isTesseraError(e, "ValueError") && /missing\.png/.test((e as Error).message));
    await expect(imread(join(sub, "*.gif"))).rejects.toSatisfy((e: unknown) => isTesseraError(e, "ValueError") && /no file matches/.test((e as Error).message));
  });

  it("multi-page files: each page of a TIFF stack is a frame (or only the first, on request); a pyramid is its first page", async () => {
    const sub = mkdtempSync(join(dir, "pages-"));
    const [h, w, pages] = [6, 5, 3];
    // Three pages written by sharp from raw values (the reference), then a single image after them.
    const { ref: all } = makeData("uint8", [pages * h, w, 3], 41, { positive: true });
    await sharp(Buffer.from(Uint8Array.from(all.values)), { raw: { width: w, height: pages * h, channels: 3, pageHeight: h } }).tiff({ compression: "deflate" }).toFile(join(sub, "a-stack.tif"));
    const { ref: single } = makeData("uint8", [h, w, 3], 42, { positive: true });
    await writeRef(join(sub, "b-single.tif"), single, "tiff");
    const x = await imread(join(sub, "*.tif"), { imagesPerChunk: 2 });
    expect(x.shape).toEqual([4, h, w, 3]);
    expect(mismatch(await x.compute(), { values: [...all.values, ...single.values], shape: [4, h, w, 3], dtype: "uint8" }, 0)).toBeUndefined();
    const firsts = await imread(join(sub, "*.tif"), { pages: "first" });
    expect(mismatch(await firsts.compute(), { values: [...all.values.slice(0, h * w * 3), ...single.values], shape: [2, h, w, 3], dtype: "uint8" }, 0)).toBeUndefined();
    // A pyramidal TIFF's pages are reductions, not frames: one frame, its full-size page (as sharp decodes it).
    const pyramid = join(sub, "pyramid.tiff");
    await sharp(Buffer.from(Uint8Array.from(makeData("uint8", [300, 260, 3], 43, { positive: true }).ref.values)), { raw: { width: 260, height: 300, channels: 3 } }).tiff({ pyramid: true, tile: true, tileWidth: 64, tileHeight: 64, compression: "deflate" }).toFile(pyramid);
    const p = await imread([pyramid]);
    expect(p.shape).toEqual([1, 300, 260, 3]);
    const want = await sharp(pyramid).raw().toBuffer();
    expect(Buffer.compare(Buffer.from((await p.compute()).data as Uint8Array), want)).toBe(0);
    await expect(imread([pyramid], { pages: "some" as never })).rejects.toSatisfy((e: unknown) => isTesseraError(e, "ValueError") && /pages/.test((e as Error).message));
  });

  it("mismatched images on request: resized to the first image's size (as sharp resizes), or cropped and padded with zeros", async () => {
    const sub = mkdtempSync(join(dir, "fit-"));
    const shapes: [number, number, number][] = [[6, 5, 3], [4, 8, 3], [9, 3, 1], [6, 5, 4]];
    const refs = shapes.map((sh, k) => makeData("uint8", sh, 30 + k, { positive: true }).ref);
    const files = refs.map((_, k) => join(sub, `f${k}.png`));
    for (const [k, r] of refs.entries()) await writeRef(files[k]!, r, "png");
    await expect(imread(files)).rejects.toSatisfy((e: unknown) => isTesseraError(e, "ShapeMismatch") && /f1\.png/.test((e as Error).message) && /mismatch: "resize"/.test((e as Error).message));

    const resized = await imread(files, { mismatch: "resize", imagesPerChunk: 3 });
    expect(resized.shape).toEqual([4, 6, 5, 3]);
    const got = (await resized.compute()).data as Uint8Array;
    const frame = 6 * 5 * 3;
    for (const [k, f] of files.entries()) {
      // The reference: sharp itself, resizing (fit "fill") and converting to 3 channels.
      const want = await sharp(f).resize(5, 6, { fit: "fill" }).removeAlpha().raw().toBuffer();
      expect(Buffer.compare(Buffer.from(got.subarray(k * frame, (k + 1) * frame)), k === 0 ? Buffer.from(Uint8Array.from(refs[0]!.values)) : want), `image ${k}`).toBe(0);
    }

    const padded = await imread(files, { mismatch: "pad" });
    const p = (await padded.compute()).data as Uint8Array;
    for (const [k, r] of refs.entries()) {
      // The reference: the image's own values (grey repeated over 3 channels, alpha dropped), cut or zero-padded.
      const [h, w, c] = r.shape as [number, number, number];
      const want = tabulate([6, 5, 3], ([i, j, ch]) => (i! < h && j! < w ? r.values[ravel([i!, j!, c === 1 ? 0 : ch!], r.shape)]! : 0));
      expect(Array.from(p.subarray(k * frame, (k + 1) * frame)), `image ${k}`).toEqual(want);
    }

    // Sample depth must match even then; an unknown mode is refused.
    await writeRef(join(sub, "deep.png"), makeData("uint16", [6, 5, 3], 9, { positive: true }).ref, "png");
    await expect(imread([files[0]!, join(sub, "deep.png")], { mismatch: "pad" })).rejects.toSatisfy((e: unknown) => isTesseraError(e, "DTypeError") && /deep\.png/.test((e as Error).message));
    await expect(imread(files, { mismatch: "stretch" as never })).rejects.toSatisfy((e: unknown) => isTesseraError(e, "ValueError") && /mismatch/.test((e as Error).message));
  });
});

describe("openImage: one image, region by region", () => {
  it("tiles match the image, and reading a slice decodes only the touched tiles", async () => {
    const { ref } = makeData("uint8", [300, 200, 3], 7, { positive: true });
    const file = join(dir, "big.tif");
    await sharp(Buffer.from(Uint8Array.from(ref.values)), { raw: { width: 200, height: 300, channels: 3 } }).tiff({ tile: true, tileWidth: 64, tileHeight: 64, compression: "deflate" }).toFile(file);
    const x = await openImage(file, { tileSize: 64 });
    expect(x.shape).toEqual([300, 200, 3]);
    expect(x.numblocks).toEqual([5, 4, 1]);
    expect(mismatch(await x.compute(), ref, 0)).toBeUndefined();
    const part = x.get([slice(70, 120), slice(10, 50), null]);
    expect(part.numTasks).toBeLessThanOrEqual(2 * 2);
    const want = { values: tabulate([50, 40, 3], ([i, j, c]) => ref.values[ravel([70 + i!, 10 + j!, c!], [300, 200, 3])]!), shape: [50, 40, 3], dtype: "uint8" as const };
    expect(mismatch(await part.compute(), want, 0)).toBeUndefined();
  });

  it("an image past sharp's default pixel limit (17000 x 16000) reads region by region under a 64 MiB memory limit", async () => {
    const W = 17000;
    const H = 16000;
    const P = 300;
    const { ref: patch } = makeData("uint8", [P, P, 3], 12, { positive: true });
    const places = [[15500, 16500], [200, 100]] as const;
    const file = join(dir, "huge.tif");
    await sharp({ create: { width: W, height: H, channels: 3, background: { r: 12, g: 34, b: 56 } }, limitInputPixels: false })
      .composite(places.map(([top, left]) => ({ input: Buffer.from(Uint8Array.from(patch.values)), raw: { width: P, height: P, channels: 3 as const }, top, left })))
      .removeAlpha()
      .tiff({ tile: true, tileWidth: 512, tileHeight: 512, compression: "deflate" })
      .toFile(file);
    const x = await openImage(file, { tileSize: 1024 });
    expect(x.shape).toEqual([H, W, 3]);
    // Regions around each patch: the patch's values where it lies, the background elsewhere.
    for (const [top, left] of places) {
      const [r0, c0] = [top - 40, left - 60];
      const part = x.get([slice(r0, r0 + 400), slice(c0, c0 + 420), null]);
      const want = tabulate([400, 420, 3], ([i, j, c]) => {
        const [pi, pj] = [r0 + i! - top, c0 + j! - left];
        return pi >= 0 && pi < P && pj >= 0 && pj < P ? patch.values[ravel([pi, pj, c!], [P, P, 3])]! : [12, 34, 56][c!]!;
      });
      expect(mismatch(await part.compute({ memoryLimit: 64 * 2 ** 20 }), { values: want, shape: [400, 420, 3], dtype: "uint8" }, 0)).toBeUndefined();
    }
  });

  it("a 65536 x 65536 RGB image (12 GiB of samples) reads region by region under a 64 MiB memory limit", async () => {
    // Tiles of 512 in a checkerboard of two colours (the file points every tile at one of two stored tiles).
    const file = join(dir, "giant.tif");
    const colors = [[200, 10, 60], [5, 150, 250]];
    const parity = (r: number, c: number) => (r + c) % 2;
    writeTiledTiff(file, 65536, 65536, 512, colors, parity);
    const x = await openImage(file, { tileSize: 1024 });
    expect(x.shape).toEqual([65536, 65536, 3]);
    for (const [top, left] of [[0, 0], [40000, 61000], [65536 - 700, 65536 - 900]] as const) {
      const [h, w] = [Math.min(700, 65536 - top), Math.min(900, 65536 - left)];
      const part = x.get([slice(top, top + h), slice(left, left + w), null]);
      const want = tabulate([h, w, 3], ([i, j, c]) => colors[parity(Math.floor((top + i!) / 512), Math.floor((left + j!) / 512))]![c!]!);
      expect(mismatch(await part.compute({ memoryLimit: 64 * 2 ** 20 }), { values: want, shape: [h, w, 3], dtype: "uint8" }, 0)).toBeUndefined();
    }
  });
});

describe("streaming a normalized image", () => {
  it("blocks() of a lazily normalized image holds a bounded number of blocks ahead of a slow consumer, in order, with the right values", async () => {
    const { ref } = makeData("uint8", [512, 512, 3], 21, { positive: true });
    const file = join(dir, "stream.tif");
    await writeRef(file, ref, "tiff");
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const x = (await openImage(file, { tileSize: 64 })).astype("float32").div(255).sub(asarray(new Float32Array(mean))).div(asarray(new Float32Array(std)));
    let made = 0;
    let consumed = 0;
    let ahead = 0;
    const onEvent = (e: SchedulerEvent): void => {
      // The blocks handed to the consumer are made by the last (dense copy) tasks.
      if (e.type === "task-end" && e.op === "assemble") ahead = Math.max(ahead, ++made - consumed);
    };
    const f = Math.fround;
    for await (const b of x.blocks({ onEvent })) {
      const [bi, bj] = b.index as [number, number];
      const want = tabulate([64, 64, 3], ([i, j, c]) => f(f(f(ref.values[ravel([bi * 64 + i!, bj * 64 + j!, c!], [512, 512, 3])]! / 255) - f(mean[c!]!)) / f(std[c!]!)));
      expect(mismatch(b, { values: want, shape: [64, 64, 3], dtype: "float32" }), `block ${b.index.join(",")}`).toBeUndefined();
      consumed++;
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(consumed).toBe(64);
    expect(ahead).toBeLessThanOrEqual(3);
  });
});

describe("imwrite", () => {
  it("PNG, lossless WebP and TIFF round trip exactly, uint8 and uint16, 1 and 3 channels", async () => {
    for (const [dtype, channels, ext] of [["uint8", 3, "png"], ["uint8", 1, "png"], ["uint16", 3, "png"], ["uint16", 1, "tif"], ["uint8", 3, "webp"], ["uint8", 3, "tif"]] as [DType, number, string][]) {
      const { data, ref } = makeData(dtype, [9, 11, channels], 3, { positive: true });
      const file = join(dir, `out-${dtype}-${channels}.${ext}`);
      await imwrite(asarray(data, { shape: [9, 11, channels], dtype, chunks: [4, 4, -1] }), file);
      const back = await openImage(file);
      expect(mismatch(await back.compute(), ref, 0), `${dtype} ${channels} ${ext}`).toBeUndefined();
    }
  });

  it("refuses dtypes a format cannot hold, before computing", async () => {
    const f = asarray(new Float32Array(12), { shape: [2, 2, 3] });
    await expect(imwrite(f, join(dir, "x.png"))).rejects.toSatisfy((e: unknown) => isTesseraError(e, "DTypeError") && /uint8/.test((e as Error).message));
    const u16 = asarray(new Uint16Array(12), { shape: [2, 2, 3] });
    await expect(imwrite(u16, join(dir, "x.jpg"))).rejects.toSatisfy((e: unknown) => isTesseraError(e, "DTypeError") && /JPEG/.test((e as Error).message));
  });
});

describe("JPEG stacks and channel selection", () => {
  const cells = new URL("../examples/data/cells/", import.meta.url).pathname;
  it("the shipped JPEGs read as sharp decodes them, as colour or as grey", async () => {
    const files = ["cell-01.jpg", "cell-02.jpg", "cell-41.jpg"].map((f) => join(cells, f));
    const x = await imread(files, { imagesPerChunk: 2 });
    expect(x.shape).toEqual([3, 256, 256, 3]);
    const got = (await x.compute()).data as Uint8Array;
    for (const [k, f] of files.entries()) {
      const want = await sharp(f).raw().toBuffer();
      expect(Buffer.compare(Buffer.from(got.subarray(k * want.length, (k + 1) * want.length)), want)).toBe(0);
    }
    const grey = await imread(files, { channels: 1 });
    expect(grey.shape).toEqual([3, 256, 256, 1]);
    const g = (await grey.compute()).data as Uint8Array;
    const want0 = await sharp(files[0]!).toColourspace("b-w").raw().toBuffer();
    expect(Buffer.compare(Buffer.from(g.subarray(0, want0.length)), want0)).toBe(0);
    const rgba = await imread(files, { channels: 4 });
    const a = (await rgba.get([0, 0, 0]).compute()).data as Uint8Array;
    expect(a[3]).toBe(255);
  });
});
