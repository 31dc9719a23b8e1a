/**
 * Deterministic tokens for graph keys: a hash of the operation, its inputs and attributes. Typed arrays
 * are hashed by content, so the same data gives the same key; functions, which JS cannot inspect, get an
 * identity token per function object (or the token the user names), see docs/decisions.md.
 */
import { createHash } from "node:crypto";

const fnIds = new WeakMap<object, string>();
let nextFnId = 0;

/** A stable identity token for a function object (same object, same token, within one process). */
export function functionToken(fn: object): string {
  let id = fnIds.get(fn);
  if (id === undefined) {
    id = `fn${(nextFnId++).toString(36)}`;
    fnIds.set(fn, id);
  }
  return id;
}

function feed(h: ReturnType<typeof createHash>, v: unknown): void {
  if (v === null || v === undefined) h.update(v === null ? "N" : "U");
  else if (typeof v === "number") h.update(`n${Object.is(v, -0) ? "-0" : String(v)};`);
  else if (typeof v === "string") h.update(`s${v.length}:${v}`);
  else if (typeof v === "boolean") h.update(v ? "T" : "F");
  else if (typeof v === "bigint") h.update(`b${v};`);
  else if (typeof v === "function") h.update(`f${functionToken(v)};`);
  else if (ArrayBuffer.isView(v)) {
    h.update(`a${v.constructor.name}${v.byteLength}:`);
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  } else if (Array.isArray(v)) {
    h.update(`[${v.length}`);
    for (const x of v) feed(h, x);
    h.update("]");
  } else if (typeof v === "object") {
    const keys = Object.keys(v).sort();
    h.update(`{${keys.length}`);
    for (const k of keys) {
      h.update(`${k}=`);
      feed(h, (v as Record<string, unknown>)[k]);
    }
    h.update("}");
  } else h.update(String(v));
}

/** A 16-hex-digit content hash of any mix of JSON-like values, typed arrays and functions. */
export function tokenize(...parts: unknown[]): string {
  const h = createHash("sha1");
  feed(h, parts);
  return h.digest("hex").slice(0, 16);
}
