/**
 * @tessera/store: Zarr stores through zarrita. `openZarr` gives a ChunkSource (v2 and v3), `createZarr` a
 * ChunkSink (v3, or v2) whose chunk writes are atomic. Users call `fromZarr` / `toZarr` from `tessera`.
 *
 * @example
 * ```ts
 * import { openZarr } from "@tessera/store";
 * const source = await openZarr("data.zarr", { path: "raw" });
 * source.shape; source.chunks; await source.read([0, 0]);
 * ```
 */
export { openZarr, createZarr, regionSink, type OpenZarrOptions, type CreateZarrOptions, type RegionSinkOptions, type StoreLike, type ZarrStore } from "./zarr.js";
export { AtomicFileStore, TEMP_PREFIX } from "./fs-store.js";
export { halfToNumber, numberToHalf } from "./float16.js";
export { compressor, registerGzip, type CodecName, type CodecSpec, type Compressor } from "./codecs.js";
