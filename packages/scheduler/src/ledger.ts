/**
 * Which buffers held values use, so that pooled memory goes back to the pool exactly when nothing can reach
 * it any more. Buffers are counted by the pool's name for them (`bufferId`: a SharedArrayBuffer that came
 * back from a worker is a new object for the same memory), others by identity. A buffer is given back when
 * its count drops to zero, unless it escaped: memory the user holds (results, persisted blocks) or that a
 * graph constant uses is never reused.
 */
import { bufferId, type TilePool } from "@tessera/core";
import { isTile } from "@tessera/core";

/** The distinct buffers behind a value (a tile, or lists of tiles). */
export function buffersOf(v: unknown, out: ArrayBufferLike[] = []): ArrayBufferLike[] {
  if (isTile(v)) {
    if (!out.includes(v.data.buffer)) out.push(v.data.buffer);
  } else if (Array.isArray(v)) for (const x of v) buffersOf(x, out);
  return out;
}

export class BufferLedger {
  private readonly refs = new Map<unknown, number>();
  private readonly escaped = new Set<unknown>();

  constructor(private readonly pool: TilePool | undefined) {}

  private keyOf(b: ArrayBufferLike): unknown {
    return bufferId(b) ?? b;
  }

  /** A value is held: its buffers gain a reference. */
  hold(v: unknown): void {
    for (const b of buffersOf(v)) {
      const k = this.keyOf(b);
      this.refs.set(k, (this.refs.get(k) ?? 0) + 1);
    }
  }

  /** A held value is let go: buffers nothing else holds go back to the pool (unless they escaped). */
  release(v: unknown): void {
    for (const b of buffersOf(v)) {
      const k = this.keyOf(b);
      const n = (this.refs.get(k) ?? 1) - 1;
      if (n > 0) {
        this.refs.set(k, n);
        continue;
      }
      this.refs.delete(k);
      if (!this.escaped.has(k)) this.pool?.give(b);
    }
  }

  /** The value's memory leaves the engine's hands (the user has it): never reused. */
  escape(v: unknown): void {
    for (const b of buffersOf(v)) this.escaped.add(this.keyOf(b));
  }

  /** How many held values use buffer `b`. */
  count(b: ArrayBufferLike): number {
    return this.refs.get(this.keyOf(b)) ?? 0;
  }

  /** True when the buffer must never move or be reused (user data, results). */
  isEscaped(b: ArrayBufferLike): boolean {
    return this.escaped.has(this.keyOf(b));
  }
}
