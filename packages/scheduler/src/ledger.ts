/**
 * Which buffers held values use, so that pooled memory goes back to the pool exactly when nothing can reach
 * it any more, and so that the bytes the scheduler says it holds are the bytes the values keep alive: a view
 * costs nothing while its block is held, and keeps the whole block counted once the block is let go. Buffers
 * are counted by the pool's name for them (`bufferId`: a SharedArrayBuffer that came back from a worker is a
 * new object for the same memory), others by identity. A buffer is given back when its count drops to zero,
 * unless it escaped: memory the user holds (results, persisted blocks) or that a graph constant uses is never
 * reused, and is not counted as the engine's.
 */
import { bufferId, collectBuffers, type TilePool } from "@tessera/core";

/** The distinct buffers behind a value (a tile or `{ data }`, a typed array, or lists of them), as a list. */
export const buffersOf = (v: unknown): ArrayBufferLike[] => [...collectBuffers(v)];

export class BufferLedger {
  private readonly refs = new Map<unknown, number>();
  private readonly escaped = new Set<unknown>();
  private bytes = 0;

  constructor(private readonly pool: TilePool | undefined) {}

  /** Bytes of the distinct buffers held values keep alive (escaped memory aside). */
  get heldBytes(): number {
    return this.bytes;
  }

  /** Bytes that letting go of `v` alone would free (its buffers no other held value uses). */
  exclusiveBytes(v: unknown): number {
    let n = 0;
    for (const b of buffersOf(v)) {
      const k = this.keyOf(b);
      if (this.refs.get(k) === 1 && !this.escaped.has(k)) n += b.byteLength;
    }
    return n;
  }

  private keyOf(b: ArrayBufferLike): unknown {
    return bufferId(b) ?? b;
  }

  /** A value is held: its buffers gain a reference. */
  hold(v: unknown): void {
    for (const b of buffersOf(v)) {
      const k = this.keyOf(b);
      const n = (this.refs.get(k) ?? 0) + 1;
      this.refs.set(k, n);
      if (n === 1 && !this.escaped.has(k)) this.bytes += b.byteLength;
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
      if (this.escaped.has(k)) continue;
      this.bytes -= b.byteLength;
      this.pool?.give(b);
    }
  }

  /** The value's memory leaves the engine's hands (the user has it): never reused. */
  escape(v: unknown): void {
    for (const b of buffersOf(v)) {
      const k = this.keyOf(b);
      if (this.escaped.has(k)) continue;
      this.escaped.add(k);
      if ((this.refs.get(k) ?? 0) > 0) this.bytes -= b.byteLength;
    }
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
