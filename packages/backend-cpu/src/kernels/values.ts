/** Guards for the values kernels receive. */
import { isTile, type Tile } from "@tessera/core";

export function asTile(v: unknown, op: string): Tile {
  if (isTile(v)) return v;
  throw new TypeError(`${op}: expected a tile input, got ${v === null ? "null" : typeof v}`);
}

export function asTiles(v: unknown, op: string): Tile[] {
  if (Array.isArray(v) && v.every(isTile)) return v;
  throw new TypeError(`${op}: expected a list of tiles (a partial result)`);
}
