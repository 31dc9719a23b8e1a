/**
 * Tile memory that is reused. Touching fresh memory is expensive (on the project's machines a fresh 4 MiB
 * buffer per chunk costs about 6x a reused one), so tiles of 64 KiB and more come from a pool of buffers by
 * size class and go back to it when the engine is done with them.
 *
 * - **Buffers.** A pooled buffer is a SharedArrayBuffer whose size is a class size (2^k times 1, 1.25, 1.5 or
 *   1.75: at most a quarter wasted), with a 16-byte header before the data that names it (a magic number, the
 *   tag of the thread that made it, a counter). Tiles are views after the header. Shared, so a tile crosses
 *   threads as a handle; named in its own bytes, because a SharedArrayBuffer that crosses threads arrives as a
 *   new object, and the engine must still know two objects are one buffer (`bufferId`).
 * - **One pool per thread** (`TilePool`): the main thread's is the scheduler's (the umbrella shares one between
 *   computes), each worker has its own. A pool hands out and takes back only on its thread; buffers move
 *   between threads by messages.
 * - **Ownership rules.** A buffer is in exactly one of: free in one pool; owned by a running task (it made
 *   it, through the task's `TaskArena`); owned by the scheduler (it backs held values, counted by `bufferId`);
 *   or escaped (it backs a value handed to the user or made a graph constant: never reused). A task's arena
 *   gives back, when the task ends, every buffer it made that does not back the task's value. The scheduler
 *   gives a buffer back when no held value, running task or user can reach it. Nothing else may release.
 * - Small allocations (under `minBytes`) are plain fresh memory: the garbage collector handles them cheaply.
 */
import { allocate, itemsize, typedView, type DType, type TypedArray } from "./dtype.js";

/** Bytes before a pooled tile's data: [MAGIC, thread tag, counter, 0] as int32. */
export const POOL_HEADER = 16;
const MAGIC = 0x7e55e7a1;
const DEFAULT_MIN = 64 * 1024;

/** The class size (bytes of data, header excluded) that holds `bytes`: 2^k x {1, 1.25, 1.5, 1.75}, at least 64. */
export function sizeClass(bytes: number): number {
  if (bytes <= 64) return 64;
  const k = Math.floor(Math.log2(bytes));
  const base = 2 ** k;
  const step = base / 4;
  return base + Math.ceil((bytes - base) / step) * step;
}

/** The pool's name for a buffer (stable across threads), or undefined for memory the pool did not make. */
export function bufferId(buffer: ArrayBufferLike): string | undefined {
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < POOL_HEADER) return undefined;
  const h = new Int32Array(buffer, 0, 4);
  return h[0] === MAGIC ? `${h[1]}:${h[2]}` : undefined;
}

/** Where kernels get the memory of the tiles they make. Contents of what `alloc` returns are unspecified. */
export interface Allocator {
  /** `n` elements of dtype `dtype`; the caller writes every element (use `allocate` for zero-filled memory). */
  alloc(dtype: DType, n: number): TypedArray;
}

export interface PoolStats {
  /** Bytes of free buffers the pool keeps. */
  readonly freeBytes: number;
  /** Buffers made fresh, and taken again from the free lists, since the pool was made. */
  readonly fresh: number;
  readonly reused: number;
  /** Bytes of buffers made fresh. */
  readonly freshBytes: number;
}

/** How a pool is made (the same options reach the workers' pools). */
export interface TilePoolOptions {
  /** Allocations under this many bytes are fresh memory, not pooled (default 64 KiB). */
  readonly minBytes?: number;
  /** Free buffers kept per size class (default unbounded). */
  readonly maxFreePerClass?: number;
  /**
   * Checking mode for tests: a buffer given back is overwritten with 0xa5 bytes, so any use of memory after
   * it was released shows up as wrong values.
   */
  readonly poison?: boolean;
}

/**
 * A thread's pool of tile buffers. `take`/`alloc` hand out a free buffer of the class (or make one), `give`
 * takes one back. `maxFreePerClass` bounds what it keeps per class, `trim` in all; buffers past them are dropped
 * (the garbage collector frees them once no thread refers to them).
 */
export class TilePool implements Allocator {
  readonly minBytes: number;
  readonly poison: boolean;
  private readonly tag: number;
  private counter = 0;
  private readonly free = new Map<number, SharedArrayBuffer[]>();
  private freeBytes = 0;
  private fresh = 0;
  private reused = 0;
  private freshBytes = 0;
  maxFreePerClass: number;

  constructor(options: TilePoolOptions = {}) {
    this.minBytes = options.minBytes ?? DEFAULT_MIN;
    this.poison = options.poison ?? false;
    this.maxFreePerClass = options.maxFreePerClass ?? Infinity;
    // A random tag per pool: ids made on different threads never collide.
    this.tag = (Math.random() * 0x7fffffff) | 0;
  }

  /** A buffer with room for `bytes` of data after the header. */
  take(bytes: number): SharedArrayBuffer {
    const cls = sizeClass(bytes);
    const list = this.free.get(cls);
    const hit = list?.pop();
    if (hit) {
      this.freeBytes -= cls;
      this.reused++;
      return hit;
    }
    const sab = new SharedArrayBuffer(POOL_HEADER + cls);
    const h = new Int32Array(sab, 0, 4);
    h[0] = MAGIC;
    h[1] = this.tag;
    h[2] = ++this.counter;
    this.fresh++;
    this.freshBytes += cls;
    return sab;
  }

  alloc(dtype: DType, n: number): TypedArray {
    const bytes = n * itemsize(dtype);
    if (bytes < this.minBytes) return allocate(dtype, n, false);
    return typedView(dtype, this.take(bytes), POOL_HEADER, n);
  }

  /** Takes a buffer back (false when it is not a pooled buffer, or the pool is full and drops it). */
  give(buffer: ArrayBufferLike): boolean {
    if (bufferId(buffer) === undefined) return false;
    const sab = buffer as SharedArrayBuffer;
    const cls = sab.byteLength - POOL_HEADER;
    if (this.poison) new Uint8Array(sab, POOL_HEADER).fill(0xa5);
    let list = this.free.get(cls);
    if (!list) this.free.set(cls, (list = []));
    if (list.length >= this.maxFreePerClass) return false;
    list.push(sab);
    this.freeBytes += cls;
    return true;
  }

  /** True when a request of `bytes` would be served from the free lists (not fresh memory). */
  hasFree(bytes: number): boolean {
    return bytes < this.minBytes || (this.free.get(sizeClass(bytes))?.length ?? 0) > 0;
  }

  /** Takes a free buffer of exactly the class of `bytes`, if there is one (to hand to another thread). */
  takeFree(bytes: number): SharedArrayBuffer | undefined {
    const cls = sizeClass(bytes);
    const hit = this.free.get(cls)?.pop();
    if (hit) this.freeBytes -= cls;
    return hit;
  }

  /** Drops free buffers, largest first, until at most `bytes` are kept. */
  trim(bytes: number): void {
    const classes = [...this.free.keys()].sort((a, b) => b - a);
    for (const cls of classes) {
      const list = this.free.get(cls)!;
      while (this.freeBytes > bytes && list.length > 0) {
        list.pop();
        this.freeBytes -= cls;
      }
    }
  }

  /** Removes and returns the free buffers past `perClass` per class (to give back to another thread). */
  surplus(perClass: number): SharedArrayBuffer[] {
    const out: SharedArrayBuffer[] = [];
    for (const [cls, list] of this.free) {
      while (list.length > perClass) {
        out.push(list.pop()!);
        this.freeBytes -= cls;
      }
    }
    return out;
  }

  get stats(): PoolStats {
    return { freeBytes: this.freeBytes, fresh: this.fresh, reused: this.reused, freshBytes: this.freshBytes };
  }
}

/**
 * The memory one task makes, from a thread's pool: when the task ends, `finish(value)` gives back every buffer
 * the task made that does not back its value (the intermediates of a fused chain, a chunk read and reduced).
 */
export class TaskArena implements Allocator {
  private readonly made: SharedArrayBuffer[] = [];

  constructor(private readonly pool: TilePool) {}

  alloc(dtype: DType, n: number): TypedArray {
    const a = this.pool.alloc(dtype, n);
    if (a.buffer instanceof SharedArrayBuffer) this.made.push(a.buffer);
    return a;
  }

  /** Gives back what the task made and its value does not use. */
  finish(value: unknown): void {
    if (this.made.length === 0) return;
    const kept = collectBuffers(value);
    for (const b of this.made) if (!kept.has(b)) this.pool.give(b);
    this.made.length = 0;
  }

  /** A failed task: everything it made goes back (nothing refers to it any more). */
  abandon(): void {
    for (const b of this.made) this.pool.give(b);
    this.made.length = 0;
  }
}

/** The distinct buffers behind a value: a tile or `{ data }`, a typed array, or lists of them. */
export function collectBuffers(v: unknown, out: Set<ArrayBufferLike> = new Set()): Set<ArrayBufferLike> {
  if (typeof v !== "object" || v === null) return out;
  if (ArrayBuffer.isView(v)) out.add(v.buffer);
  else if (Array.isArray(v)) for (const x of v) collectBuffers(x, out);
  else {
    const data = (v as { data?: unknown }).data;
    if (ArrayBuffer.isView(data)) out.add(data.buffer);
  }
  return out;
}

/** Fresh memory each time: the allocator of code that runs outside a scheduler. */
export const freshAllocator: Allocator = {
  alloc: (dtype, n) => allocate(dtype, n, false),
};
