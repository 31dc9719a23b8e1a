/**
 * Chunk compression for writing: gzip through node:zlib (zarrita's gzip codec only decodes, so an encoding
 * one is registered with zarrita too), zstd and blosc through numcodecs (WebAssembly). Each codec has its
 * Zarr v3 codec metadata and its Zarr v2 compressor metadata.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { TesseraError, itemsize, show, type DType } from "@tessera/core";
import * as zarr from "zarrita";

export type CodecName = "none" | "gzip" | "zstd" | "blosc";
export interface CodecSpec {
  readonly name: CodecName;
  /** Compression level (gzip 1-9, default 5; zstd 1-22, default 3; blosc 1-9, default 5). */
  readonly level?: number;
}

export interface Compressor {
  readonly v3: { name: string; configuration: Record<string, unknown> } | undefined;
  readonly v2: Record<string, unknown> | null;
  encode(bytes: Uint8Array): Promise<Uint8Array>;
}

interface NumcodecsCodec {
  encode(data: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

const CODECS: readonly CodecName[] = ["none", "gzip", "zstd", "blosc"];

/** Registers a gzip codec that encodes as well as decodes (idempotent). */
export function registerGzip(): void {
  const entry = {
    kind: "bytes_to_bytes" as const,
    fromConfig: (config: unknown) => {
      const level = (config as { level?: number } | undefined)?.level ?? 5;
      return {
        kind: "bytes_to_bytes" as const,
        encode: (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes, { level })),
        decode: (bytes: Uint8Array) => new Uint8Array(gunzipSync(bytes)),
      };
    },
  };
  zarr.registry.set("gzip", () => Promise.resolve(entry as never));
  zarr.registry.set("numcodecs.gzip", () => Promise.resolve(entry as never));
}

/** A codec given by name, spec or nothing (zstd) as a spec. */
export const codecSpec = (spec: CodecSpec | CodecName | undefined): CodecSpec => (typeof spec === "string" || spec === undefined ? { name: spec ?? "zstd" } : spec);

export async function compressor(spec: CodecSpec | CodecName | undefined, dtype: DType): Promise<Compressor> {
  const s = codecSpec(spec);
  if (!CODECS.includes(s.name)) throw new TesseraError("ValueError", `codec: ${show(s.name)} is not supported; use one of ${CODECS.join(", ")}`);
  switch (s.name) {
    case "none":
      return { v3: undefined, v2: null, encode: async (b) => b };
    case "gzip": {
      const level = s.level ?? 5;
      return { v3: { name: "gzip", configuration: { level } }, v2: { id: "gzip", level }, encode: async (b) => new Uint8Array(gzipSync(b, { level })) };
    }
    case "zstd": {
      const level = s.level ?? 3;
      const Zstd = (await import("numcodecs/zstd")).default;
      const codec: NumcodecsCodec = Zstd.fromConfig({ id: "zstd", level });
      return { v3: { name: "zstd", configuration: { level, checksum: false } }, v2: { id: "zstd", level }, encode: async (b) => codec.encode(b) };
    }
    case "blosc": {
      const clevel = s.level ?? 5;
      const Blosc = (await import("numcodecs/blosc")).default;
      const codec: NumcodecsCodec = Blosc.fromConfig({ id: "blosc", cname: "lz4", clevel, shuffle: 1, blocksize: 0 });
      return {
        v3: { name: "blosc", configuration: { cname: "lz4", clevel, shuffle: "shuffle", typesize: itemsize(dtype), blocksize: 0 } },
        v2: { id: "blosc", cname: "lz4", clevel, shuffle: 1, blocksize: 0 },
        encode: async (b) => codec.encode(b),
      };
    }
  }
}
