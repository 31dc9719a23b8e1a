/**
 * A pool of worker threads running one backend's worker entry. Workers are started on first use and
 * kept between computes; they are unref'd whenever no compute holds the pool, so an idle pool never keeps
 * Node alive. A worker that dies fails its task and is replaced.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { TilePoolOptions } from "@tessera/core";
import type { Attrs } from "@tessera/graph";
import type { WorkerReply, WorkerRequest } from "@tessera/kernels";

/** Flags a worker inherits. Node refuses V8 flags (--max-old-space-size, ...) in a worker's execArgv. */
const KEPT_FLAGS = ["--enable-source-maps", "--no-warnings", "--cpu-prof", "--cpu-prof-dir"];

interface Slot {
  worker: Worker;
  /** The worker's number in the pool, 0 .. size - 1 (a replacement takes the number of the one it replaces). */
  readonly index: number;
  busy: boolean;
  /** Bytes the worker's tile pool keeps free (as of its last reply). */
  poolFree: number;
  /** Constants this worker holds, by ref. */
  readonly sent: Set<string>;
}

interface Pending {
  readonly resolve: (r: WorkerResult) => void;
  readonly reject: (e: Error) => void;
  readonly slot: Slot;
  /** Who asked for the task (a compute), so that its tasks can be abandoned when it fails. */
  readonly owner: object | undefined;
}

/** A task's value from a worker, with the free buffers its pool handed back and what it keeps free. */
export interface WorkerResult {
  readonly value: unknown;
  readonly ms: number;
  readonly returned: readonly SharedArrayBuffer[];
  readonly poolFree: number;
  /** The worker's number in the pool. */
  readonly worker: number;
}

export class WorkerPool {
  readonly size: number;
  private readonly entry: string;
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private holds = 0;
  private closed = false;

  /** Options of the workers' tile pools (a checking mode for tests: poison). */
  private readonly tileOptions: TilePoolOptions;

  constructor(entry: string, size = availableParallelism(), tiles: TilePoolOptions = {}) {
    this.entry = entry;
    this.size = Math.max(1, size);
    this.tileOptions = tiles;
  }

  private spawn(): Slot {
    // Workers run built JS: of the parent's flags only harmless ones pass on (not export conditions a
    // test runner sets for TypeScript sources, nor --eval/--input-type, nor V8 flags, which Node refuses).
    const execArgv = process.execArgv.filter((a) => KEPT_FLAGS.some((f) => a === f || a.startsWith(`${f}=`)));
    const worker = new Worker(new URL(this.entry), { execArgv, workerData: { tiles: this.tileOptions } });
    const used = new Set(this.slots.map((s) => s.index));
    let index = 0;
    while (used.has(index)) index++;
    const slot: Slot = { worker, index, busy: false, poolFree: 0, sent: new Set() };
    if (this.holds === 0) worker.unref();
    worker.on("message", (msg: WorkerReply) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      p.slot.busy = false;
      if (msg.type === "done") {
        p.slot.poolFree = msg.poolFree;
        p.resolve({ value: msg.value, ms: msg.ms, returned: msg.returned, poolFree: msg.poolFree, worker: p.slot.index });
      }
      else {
        const e = new Error(msg.message);
        if (msg.stack) e.stack = msg.stack;
        if (msg.code) Object.assign(e, { code: msg.code });
        p.reject(e);
      }
      // After the task's own completion has been handled (its callbacks were queued first).
      queueMicrotask(() => this.notifyIdle());
    });
    const died = (err: Error): void => this.retire(slot, err);
    worker.on("error", died);
    worker.on("exit", (code) => {
      if (!this.closed) died(new Error(`worker exited with code ${code}`));
    });
    this.slots.push(slot);
    return slot;
  }

  /** Removes a slot from the pool, failing the tasks it was running. */
  private retire(slot: Slot, err: Error): void {
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.reject(err);
    }
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    queueMicrotask(() => this.notifyIdle());
  }

  private idleSlot(): Slot | undefined {
    const free = this.slots.find((s) => !s.busy);
    if (free) return free;
    return this.slots.length < this.size ? this.spawn() : undefined;
  }

  private readonly idleListeners = new Set<() => void>();

  /**
   * Calls `fn` whenever a worker becomes free. Computes sharing the pool (or following one whose stale
   * tasks still run after it failed) wait on this instead of on their own tasks.
   */
  onIdle(fn: () => void): () => void {
    this.idleListeners.add(fn);
    return () => this.idleListeners.delete(fn);
  }

  private notifyIdle(): void {
    for (const fn of [...this.idleListeners]) fn();
  }

  /** Workers free to take a task now (counting ones not started yet). */
  get idle(): number {
    return this.slots.filter((s) => !s.busy).length + (this.size - this.slots.length);
  }

  /** Keeps Node alive while a compute needs the workers. */
  hold(): void {
    if (this.holds++ === 0) for (const s of this.slots) s.worker.ref();
  }

  release(): void {
    if (--this.holds === 0) for (const s of this.slots) s.worker.unref();
  }

  private sendConstants(s: Slot, entries: readonly (readonly [string, unknown])[]): void {
    const missing = entries.filter(([k]) => !s.sent.has(k));
    if (missing.length === 0) return;
    for (const [k] of missing) s.sent.add(k);
    s.worker.postMessage({ type: "constants", entries: missing } satisfies WorkerRequest);
  }

  private readonly uses = new Map<string, number>();

  /** Marks constants as used by a compute (computes may overlap and share constants). */
  acquire(refs: readonly string[]): void {
    for (const r of refs) this.uses.set(r, (this.uses.get(r) ?? 0) + 1);
  }

  /** Ends a compute's use of constants; those no compute uses any more are dropped from every worker. */
  forget(refs: readonly string[]): void {
    const unused = refs.filter((r) => {
      const n = (this.uses.get(r) ?? 1) - 1;
      if (n > 0) this.uses.set(r, n);
      else this.uses.delete(r);
      return n <= 0;
    });
    for (const s of this.slots) {
      const held = unused.filter((r) => s.sent.delete(r));
      if (held.length) s.worker.postMessage({ type: "forget", refs: held } satisfies WorkerRequest);
    }
  }

  /** Bytes the workers' tile pools keep free. */
  get poolFree(): number {
    return this.slots.reduce((n, s) => n + s.poolFree, 0);
  }

  /**
   * Runs one task on an idle worker (the caller checks `idle` first). `grants` are free pooled buffers handed
   * to the worker's pool (shared memory: they cross as handles); `transfer` lists buffers moved with the inputs.
   */
  run(
    op: string,
    attrs: Attrs,
    inputs: readonly unknown[],
    constants: readonly (readonly [string, unknown])[],
    transfer: readonly ArrayBuffer[] = [],
    grants: readonly SharedArrayBuffer[] = [],
    owner?: object,
  ): Promise<WorkerResult> {
    const slot = this.idleSlot();
    if (!slot) return Promise.reject(new Error("WorkerPool.run: no idle worker"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      try {
        this.sendConstants(slot, constants);
        slot.worker.postMessage({ type: "task", id, op, attrs, inputs, ...(grants.length ? { grants } : {}) } satisfies WorkerRequest, [...transfer]);
      } catch (e) {
        // A value that cannot be cloned fails this task, not the process.
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      slot.busy = true;
      this.pending.set(id, { resolve, reject, slot, owner });
    });
  }

  /**
   * The compute `owner` failed or was aborted: its tasks still running after `graceMs` are stopped by terminating
   * their workers (a worker cannot be interrupted otherwise: a kernel stuck in a loop would keep a core busy and
   * the pool a worker short). Replacements start when a task next needs one.
   */
  abandon(owner: object, graceMs: number): void {
    const slots = new Set([...this.pending.values()].filter((p) => p.owner === owner).map((p) => p.slot));
    if (slots.size === 0) return;
    const timer = setTimeout(() => {
      for (const slot of slots) {
        const still = [...this.pending.values()].some((p) => p.slot === slot && p.owner === owner);
        if (!still || !this.slots.includes(slot)) continue;
        // Its pending task fails (its compute has already failed); the slot leaves the pool now.
        this.retire(slot, new Error("worker stopped: its compute was aborted or failed and the task overran the grace period"));
        void slot.worker.terminate();
      }
    }, graceMs);
    timer.unref();
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    const ws = this.slots.splice(0).map((s) => s.worker.terminate());
    await Promise.all(ws);
  }
}
