/**
 * Moving values to workers without copies where possible: tiles on SharedArrayBuffers cross as they are;
 * other tiles are copied once onto shared memory (cached per value, so a block read by several tasks is
 * copied once, and an in-memory constant once per process).
 */
import { allocate, isTile, sizeOf, stridesOf, type Tile } from "@tessera/core";
import { copyInto, materialize } from "./tiles.js";

const sharedCopies = new WeakMap<object, unknown>();

function sharedTile(t: Tile): Tile {
  if (t.data.buffer instanceof SharedArrayBuffer) return t;
  const hit = sharedCopies.get(t);
  if (hit) return hit as Tile;
  const out: Tile = { data: allocate(t.dtype, sizeOf(t.shape), true), shape: [...t.shape], dtype: t.dtype, strides: stridesOf(t.shape), offset: 0 };
  copyInto(out, t);
  sharedCopies.set(t, out);
  return out;
}

/** A value ready to post to a worker: its tiles on shared memory. */
export function toShared(v: unknown): unknown {
  if (isTile(v)) return sharedTile(v);
  if (Array.isArray(v)) return v.map(toShared);
  return v;
}

/** A copy with every tile compact on a fresh (transferable) buffer: just the region a view covers. */
export function freshCopy(v: unknown): unknown {
  if (isTile(v)) return materialize(v);
  if (Array.isArray(v)) return v.map(freshCopy);
  return v;
}
