/**
 * The thread scheduler: CPU tasks run on a pool of worker threads (tiles on SharedArrayBuffers, so no copy
 * per task), user closures and I/O run on the main thread, tiny tasks run inline. Dask's local policy: the
 * ready set is a stack (last in, first out), ties broken by the static `order()`; each result is released
 * when its last consumer has run. Memory: a task starts only while held + in-flight + its bytes stay under
 * `memoryLimit`; when nothing fits, held blocks whose consumers cannot run yet are dropped and recomputed
 * (from sources, or from inputs pinned until then) when needed: the mean-centring case `x - x.mean(0)` on
 * an array larger than the limit, which holds every block of x in dask (dask#874).
 */
import { TaskArena, TilePool, isTile } from "@tessera/core";
import { priorities, type Graph, type Key, type RunOptions, type Scheduler, type Task } from "@tessera/graph";
import type { Backend } from "@tessera/kernels";
import { BufferLedger, buffersOf } from "./ledger.js";
import { defaultMemoryLimit, refuseOversized } from "./memory.js";
import { WorkerPool, type WorkerResult } from "./pool.js";
import { OutputWindow } from "./window.js";
import { abortError, taskError } from "./sync.js";

export interface ThreadSchedulerOptions {
  readonly backend: Backend;
  /** Worker threads (default: the machine's available parallelism); 0 runs everything on the main thread. */
  readonly workers?: number;
  /** Bytes of results held plus in flight that a compute stays under (default: half the machine's memory). */
  readonly memoryLimit?: number;
  /** CPU tasks that need less memory than this to run go inline on the main thread (default 64 KiB). */
  readonly inlineBytes?: number;
  /** A pool to share between schedulers (default: one made for this scheduler). */
  readonly pool?: WorkerPool;
  /** The main thread's tile pool (default: one made for this scheduler, shared by its computes). */
  readonly tilePool?: TilePool;
  /** After a compute fails or is aborted, how long its tasks still running in workers may go on before their workers are stopped (default 500 ms). */
  readonly abandonMs?: number;
}

export interface ThreadScheduler extends Scheduler {
  readonly pool: WorkerPool | undefined;
  /** Stops the workers (they are unref'd when idle, so this is only needed to free them early). */
  close(): Promise<void>;
}

/**
 * Tasks at once on the main thread: user closures (they compete with the scheduler for the thread), and I/O (mostly
 * waiting on files, sharp's and zlib's threads: more keeps those fed). Both are bounded by the memory limit too.
 */
const MAX_MAIN = 4;
const MAX_IO = 16;

export function threadScheduler(options: ThreadSchedulerOptions): ThreadScheduler {
  const workers = options.workers ?? undefined;
  const entry = options.backend.workerEntry;
  const pool = options.pool ?? (workers === 0 || !entry ? undefined : new WorkerPool(entry, workers));
  const tiles = options.tilePool ?? new TilePool();
  return {
    name: "threads",
    pool,
    run: (graph, runOptions = {}) => new Run(graph, options, pool, tiles, runOptions).execute(),
    close: async () => pool?.close(),
  };
}

type Status = "waiting" | "ready" | "running" | "held" | "released" | "dropped";

class Run {
  private readonly tasks: ReadonlyMap<Key, Task>;
  private readonly prio: Map<Key, number>;
  private readonly consumers = new Map<Key, Key[]>();
  private readonly remaining = new Map<Key, number>();
  private readonly waiting = new Map<Key, number>();
  private readonly dropped = new Map<Key, number>();
  private readonly status = new Map<Key, Status>();
  private readonly values = new Map<Key, unknown>();
  private readonly outputs: Set<Key>;
  private readonly result = new Map<Key, unknown>();
  private readonly ready: Key[] = [];
  private readonly limit: number;
  private readonly inlineBytes: number;
  private readonly ledger: BufferLedger;
  private readonly sharedConstants: (readonly [string, unknown])[];
  private inFlight = 0;
  private running = 0;
  private mainRunning = 0;
  private ioRunning = 0;
  private outputsLeft: number;
  private paused = 0;
  private finished = false;
  private resolve!: (m: Map<Key, unknown>) => void;
  private reject!: (e: unknown) => void;
  private readonly t0 = performance.now();

  constructor(
    private readonly graph: Graph,
    private readonly options: ThreadSchedulerOptions,
    private readonly pool: WorkerPool | undefined,
    private readonly tiles: TilePool,
    private readonly run: RunOptions,
  ) {
    this.tasks = graph.tasks;
    this.prio = priorities(graph);
    this.outputs = new Set(graph.outputs);
    this.outputsLeft = this.outputs.size;
    this.limit = options.memoryLimit ?? defaultMemoryLimit();
    this.inlineBytes = options.inlineBytes ?? 64 * 1024;
    this.ledger = new BufferLedger(tiles);
    this.window = run.outputWindow !== undefined ? new OutputWindow(graph, run.outputWindow) : undefined;
    const share = options.backend.share?.bind(options.backend) ?? ((v: unknown) => v);
    // Only data crosses to workers (functions, sources and sinks stay on the main thread with their tasks).
    this.sharedConstants = pool ? [...graph.constants].filter(([, v]) => isTile(v)).map(([k, v]) => [k, share(v)] as const) : [];
  }

  execute(): Promise<Map<Key, unknown>> {
    const promise = new Promise<Map<Key, unknown>>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    try {
      refuseOversized(this.graph, this.limit);
      if (this.run.signal?.aborted) throw abortError(this.run.signal);
    } catch (e) {
      return Promise.reject(e);
    }
    this.run.signal?.addEventListener("abort", this.onAbort, { once: true });
    // Buffers of constants (the user's data) are never moved or reused.
    for (const c of this.graph.constants.values()) this.ledger.escape(c);
    this.pool?.hold();
    this.pool?.acquire(this.sharedConstants.map(([k]) => k));
    this.stopListening = this.pool?.onIdle(() => this.pump());
    const sources: Key[] = [];
    for (const t of this.tasks.values()) {
      this.status.set(t.key, "waiting");
      this.waiting.set(t.key, t.args.length);
      for (const a of t.args) {
        let c = this.consumers.get(a);
        if (!c) this.consumers.set(a, (c = []));
        c.push(t.key);
        this.remaining.set(a, (this.remaining.get(a) ?? 0) + 1);
      }
      if (t.args.length === 0) sources.push(t.key);
    }
    this.pushReady(sources);
    this.run.onEvent?.({ type: "compute-start", tasks: this.tasks.size });
    this.pump();
    return promise;
  }

  private readonly onAbort = (): void => this.fail(abortError(this.run.signal!));

  /** Pushes newly ready tasks so that the one first in `order()` ends on top of the stack. */
  private pushReady(keys: Key[]): void {
    keys.sort((a, b) => this.prio.get(b)! - this.prio.get(a)!);
    for (const k of keys) {
      this.setStatus(k, "ready");
      this.ready.push(k);
    }
  }

  private fits(bytes: number): boolean {
    return this.ledger.heldBytes + this.inFlight + bytes <= this.limit;
  }

  /** Starts every task that can start now. */
  private pump(): void {
    while (!this.finished && this.paused === 0) {
      const pick = this.pick();
      if (pick === undefined) break;
      this.start(pick.index, pick.where);
    }
    this.maybeFinish();
  }

  /** The topmost ready task that has a place to run and fits in memory (dropping source blocks if needed). */
  private pick(): { index: number; where: "inline" | "worker" | "main" } | undefined {
    const scan = Math.max(0, this.ready.length - 64);
    for (let i = this.ready.length - 1; i >= scan; i--) {
      const t = this.tasks.get(this.ready[i]!)!;
      const need = t.memory ?? t.nbytes;
      // Inline only what is small to run (a fused chain that ends in a small partial still reads big blocks).
      const where = t.placement !== "cpu" ? "main" : this.pool && need >= this.inlineBytes ? "worker" : "inline";
      if (where === "worker" && this.pool!.idle === 0) continue;
      if (where === "main" && (t.placement === "io" ? this.ioRunning >= MAX_IO : this.mainRunning >= MAX_MAIN)) continue;
      if (this.window?.outside(t.key)) continue;
      if (!this.roomFor(t) && this.running > 0) continue;
      if (this.fits(need) || this.evictFor(need) || this.running === 0) return { index: i, where };
    }
    return undefined;
  }

  private start(index: number, where: "inline" | "worker" | "main"): void {
    const key = this.ready.splice(index, 1)[0]!;
    const task = this.tasks.get(key)!;
    this.setStatus(key, "running");
    this.inFlight += task.memory ?? task.nbytes;
    this.running++;
    this.run.onEvent?.({ type: "task-start", key, op: task.op, placement: task.placement, nbytes: task.nbytes });
    const t0 = performance.now();
    const backend = `${this.options.backend.name}:${where}`;
    if (where === "worker") {
      const { values, transfer } = this.toWorker(task);
      // A free buffer of the output's size class goes with the task, so the worker need not make one.
      const grant = task.nbytes >= this.tiles.minBytes ? this.tiles.takeFree(task.nbytes) : undefined;
      this.pool!.run(task.op, task.attrs, values, this.sharedConstants, transfer, grant ? [grant] : [], this).then(
        (r) => this.fromWorker(key, r, performance.now() - t0, backend),
        (e: unknown) => this.fail(taskError(key, task.op, e)),
      );
      return;
    }
    const inputs = task.args.map((a) => this.values.get(a));
    const arena = new TaskArena(this.tiles);
    const ctx = { constants: this.graph.constants, alloc: arena };
    const kernel = this.options.backend.kernel(task.op);
    if (!kernel) {
      this.fail(taskError(key, task.op, new Error(`backend ${this.options.backend.name} has no kernel for op ${task.op}`)));
      return;
    }
    if (where === "main") {
      const io = task.placement === "io";
      if (io) this.ioRunning++;
      else this.mainRunning++;
      const p = Promise.resolve()
        .then(() => kernel(inputs, task.attrs, ctx))
        .then(
          (v) => {
            if (io) this.ioRunning--;
            else this.mainRunning--;
            arena.finish(v);
            this.complete(key, v, performance.now() - t0, backend);
          },
          (e: unknown) => this.fail(taskError(key, task.op, e)),
        )
        .finally(() => this.mainInFlight.delete(p));
      this.mainInFlight.add(p);
      return;
    }
    let value: unknown;
    try {
      value = kernel(inputs, task.attrs, ctx);
    } catch (e) {
      this.fail(taskError(key, task.op, e));
      return;
    }
    const done = (v: unknown, inline: boolean): void => {
      arena.finish(v);
      this.complete(key, v, performance.now() - t0, backend, inline);
    };
    if (value instanceof Promise) value.then((v) => done(v, false), (e: unknown) => this.fail(taskError(key, task.op, e)));
    else done(value, true);
  }

  /** A worker's result: the free buffers its pool handed back join the main thread's pool. */
  private fromWorker(key: Key, r: WorkerResult, ms: number, backend: string): void {
    // Surplus becomes later tasks' grants (`roomFor` drops other classes when fresh memory is needed); dropping it
    // here made garbage of buffers the next tasks needed (1.3 GB RSS for a 4 GiB rechunk under 256 MiB).
    if (!this.finished) for (const b of r.returned) this.tiles.give(b);
    this.complete(key, r.value, ms, backend, false, r.worker);
  }

  /**
   * A task's inputs for a worker, without copies where possible: shared buffers cross as they are; an
   * input that only this task still needs, whose buffers back no other held value and no constant, is
   * transferred (moved); anything else crosses as a compact copy of just the region it covers (a
   * structured clone of a view would copy its whole buffer), which is then transferred.
   */
  private toWorker(task: Task): { values: unknown[]; transfer: ArrayBuffer[] } {
    const transfer: ArrayBuffer[] = [];
    const copy = this.options.backend.copy?.bind(this.options.backend);
    const values = task.args.map((a) => {
      const v = this.values.get(a);
      const bufs = buffersOf(v);
      if (bufs.every((b) => b instanceof SharedArrayBuffer)) return v;
      const last = this.remaining.get(a) === 1 && !this.outputs.has(a) && task.args.filter((x) => x === a).length === 1;
      if (last && bufs.every((b) => !(b instanceof SharedArrayBuffer) && this.ledger.count(b) === 1 && !this.ledger.isEscaped(b) && !transfer.includes(b as ArrayBuffer))) {
        transfer.push(...(bufs as ArrayBuffer[]));
        return v;
      }
      if (!copy) return v;
      const c = copy(v);
      transfer.push(...(buffersOf(c) as ArrayBuffer[]));
      return c;
    });
    // Zero-length buffers are never moved: a detached buffer (byteLength 0) in a transfer list makes Node drop the message.
    return { values, transfer: transfer.filter((b) => b.byteLength > 0) };
  }

  private complete(key: Key, value: unknown, ms: number, backend: string, inline = false, worker?: number): void {
    if (this.finished) return;
    const task = this.tasks.get(key)!;
    this.running--;
    this.inFlight -= task.memory ?? task.nbytes;
    const recomputed = this.wasDropped.has(key);
    if (!this.outputs.has(key)) this.heldSet.add(key);
    this.setStatus(key, "held");
    this.values.set(key, value);
    this.ledger.hold(value);
    for (const a of task.args) {
      const r = this.remaining.get(a)! - 1;
      this.remaining.set(a, r);
      if (r === 0 && !this.outputs.has(a)) this.releaseValue(a);
    }
    this.run.onEvent?.({ type: "task-end", key, op: task.op, placement: task.placement, nbytes: task.nbytes, backend, ms, held: this.ledger.heldBytes, ...(worker !== undefined ? { worker } : {}) });
    const newlyReady: Key[] = [];
    for (const c of this.consumers.get(key) ?? []) {
      if (this.status.get(c) !== "waiting") continue;
      if (recomputed) this.dropped.set(c, this.dropped.get(c)! - 1);
      const w = this.waiting.get(c)! - 1;
      this.waiting.set(c, w);
      if (w === 0) newlyReady.push(c);
      else if (w === (this.dropped.get(c) ?? 0)) this.recompute(c);
    }
    if (recomputed) this.wasDropped.delete(key);
    this.pushReady([...new Set(newlyReady)]);
    if (this.outputs.has(key)) this.deliver(key, value);
    if (!inline) this.pump();
  }

  /** Only with `outputWindow`: which tasks may start while a streaming consumer catches up. */
  private readonly window: OutputWindow | undefined;

  private deliver(key: Key, value: unknown): void {
    // The user gets it: its memory is never reused.
    this.ledger.escape(value);
    if (this.run.retainOutputs !== false) this.result.set(key, value);
    const w = this.run.onOutput?.(key, value);
    const after = (): void => {
      if (this.run.retainOutputs === false && (this.remaining.get(key) ?? 0) === 0) this.releaseValue(key);
    };
    if (this.run.outputWindow !== undefined) {
      // Streaming: the window, not a pause, holds the scheduler back; the output is done when consumed.
      const done = (): void => {
        if (this.finished) return;
        this.outputsLeft--;
        after();
        this.window?.consume(key);
      };
      if (w instanceof Promise) w.then(() => { done(); this.pump(); }, (e: unknown) => this.fail(e));
      else done();
      return;
    }
    this.outputsLeft--;
    if (w instanceof Promise) {
      this.paused++;
      w.then(
        () => {
          this.paused--;
          after();
          this.pump();
        },
        (e: unknown) => this.fail(e),
      );
    } else after();
  }

  private releaseValue(k: Key): void {
    if (this.status.get(k) !== "held") return;
    this.ledger.release(this.values.get(k)); // pooled buffers nothing else uses go back to the pool
    this.values.delete(k);
    this.setStatus(k, "released");
    this.heldSet.delete(k);
  }

  /**
   * The process's tile memory is what is held, in flight, and kept free in the pools (free buffers are real
   * memory too). A task whose output can come from a free buffer of its size class adds nothing to it; one that
   * needs fresh memory may start only while the total stays under the limit, after dropping free buffers of other
   * classes if that is what it takes. Dropping at release instead (keeping free only what fits beside the held
   * bytes) threw away the buffers the next block needed, and a dropped buffer is freed only when the garbage
   * collector gets to it (measured: twice the peak RSS of a streamed normalization).
   */
  private roomFor(t: Task): boolean {
    if (t.nbytes < this.tiles.minBytes || this.tiles.hasFree(t.nbytes)) return true;
    const need = t.memory ?? t.nbytes;
    const free = this.tiles.stats.freeBytes;
    const over = this.ledger.heldBytes + this.inFlight + need + free + (this.pool?.poolFree ?? 0) - this.limit;
    if (over <= 0) return true;
    if (over > free) return false;
    this.tiles.trim(free - over);
    return true;
  }

  private readonly wasDropped = new Set<Key>();
  private readonly heldSet = new Set<Key>(); // held results that are not outputs
  /**
   * The blocks that could be dropped now, kept up to date as statuses change (each change rechecks the task, its
   * inputs and its consumers: work proportional to what changed, not to what is held): held, not an output, all
   * inputs held (so it can be made again), no consumer ready, running or dropped (a block pinned for a dropped
   * consumer's recompute stays, or drops would cascade), and some consumer still waiting.
   */
  private readonly droppable = new Set<Key>();
  /** Bumped whenever `droppable` changes; an eviction that found no room is not searched again until it does. */
  private droppableVersion = 0;
  private noRoom: { version: number; bytes: number; held: number } | undefined;

  private setStatus(k: Key, s: Status): void {
    this.status.set(k, s);
    this.recheck(k);
    for (const a of this.tasks.get(k)?.args ?? []) this.recheck(a);
    for (const c of this.consumers.get(k) ?? []) this.recheck(c);
  }

  private recheck(k: Key): void {
    const st = (x: Key): Status | undefined => this.status.get(x);
    const cs = this.consumers.get(k) ?? [];
    const ok =
      st(k) === "held" &&
      this.heldSet.has(k) &&
      this.tasks.get(k)!.args.every((a) => st(a) === "held") &&
      !cs.some((c) => st(c) === "ready" || st(c) === "running" || st(c) === "dropped") &&
      cs.some((c) => st(c) === "waiting");
    if (ok === this.droppable.has(k)) return;
    if (ok) this.droppable.add(k);
    else this.droppable.delete(k);
    this.droppableVersion++;
  }

  /**
   * Drops held blocks that no consumer can use now and that can be recomputed from inputs still held
   * (sources have none), furthest next use first, until `bytes` fit; drops nothing when even all of them
   * would not make room.
   */
  private evictFor(bytes: number): boolean {
    const held = this.ledger.heldBytes;
    const last = this.noRoom;
    if (last && last.version === this.droppableVersion && bytes >= last.bytes && held >= last.held) return false;
    const candidates: [Key, number, number][] = [];
    let freeable = 0;
    for (const k of this.droppable) {
      // What dropping it frees: its buffers no other held value uses (a view of a held block frees nothing).
      const nbytes = this.ledger.exclusiveBytes(this.values.get(k));
      if (nbytes === 0) continue;
      const pending = (this.consumers.get(k) ?? []).filter((c) => this.status.get(c) === "waiting");
      freeable += nbytes;
      candidates.push([k, Math.min(...pending.map((c) => this.prio.get(c)!)), nbytes]);
    }
    if (!this.fits(bytes - freeable)) {
      this.noRoom = { version: this.droppableVersion, bytes, held };
      return false;
    }
    candidates.sort((a, b) => b[1] - a[1]);
    for (const [k] of candidates) {
      if (this.fits(bytes)) break;
      this.drop(k);
    }
    return true;
  }

  private drop(k: Key): void {
    const nbytes = this.tasks.get(k)!.nbytes;
    this.ledger.release(this.values.get(k)); // pooled buffers nothing else uses go back to the pool
    this.values.delete(k);
    this.setStatus(k, "dropped");
    this.heldSet.delete(k);
    // It will consume its inputs again: pin them until it has been recomputed.
    for (const a of this.tasks.get(k)!.args) this.remaining.set(a, this.remaining.get(a)! + 1);
    this.wasDropped.add(k);
    for (const c of this.consumers.get(k) ?? []) {
      if (this.status.get(c) !== "waiting") continue;
      this.waiting.set(c, this.waiting.get(c)! + 1);
      this.dropped.set(c, (this.dropped.get(c) ?? 0) + 1);
    }
    this.run.onEvent?.({ type: "evict", key: k, nbytes });
  }

  /** All of `c`'s inputs but dropped ones are held: read the dropped ones again. */
  private recompute(c: Key): void {
    const again = this.tasks.get(c)!.args.filter((a) => this.status.get(a) === "dropped");
    this.pushReady([...new Set(again)]);
  }

  private maybeFinish(): void {
    if (this.finished || this.outputsLeft > 0 || this.paused > 0) return;
    this.finish();
    this.run.onEvent?.({ type: "compute-end", tasks: this.tasks.size, ms: performance.now() - this.t0 });
    this.resolve(this.result);
  }

  /** Main-thread and I/O tasks under way (a failed compute waits for them: no write goes on after it). */
  private readonly mainInFlight = new Set<Promise<void>>();

  private fail(e: unknown): void {
    if (this.finished) return;
    this.finish();
    this.run.onEvent?.({ type: "compute-end", tasks: this.tasks.size, ms: performance.now() - this.t0, failed: true });
    // Its tasks still running in workers are stopped if they overrun a grace period (a kernel stuck in a loop).
    this.pool?.abandon(this, this.options.abandonMs ?? 500);
    void Promise.allSettled([...this.mainInFlight]).then(() => this.reject(e));
  }

  private stopListening: (() => void) | undefined;

  private finish(): void {
    this.finished = true;
    this.stopListening?.();
    this.run.signal?.removeEventListener("abort", this.onAbort);
    this.pool?.forget(this.sharedConstants.map(([k]) => k));
    this.pool?.release();
    // Between computes the pool keeps a little for the next one, not what the last one needed at its peak.
    this.tiles.trim(Math.min(KEEP_BETWEEN, this.limit / 4));
  }
}

const KEEP_BETWEEN = 64 * 2 ** 20; // free pooled memory the main thread keeps when a compute ends

