/**
 * The synchronous scheduler: runs a graph's tasks one at a time on the main thread in the static order
 * (`order()`), releasing each intermediate as soon as its last consumer has run. Tests use it; users
 * debug with it. Kernels that return promises (I/O, async user functions) are awaited in turn. Tiles come
 * from a tile pool and go back to it when released, as on the thread scheduler. It holds what the static
 * order makes it hold and does not apply `memoryLimit` (it never runs two tasks at once; use the thread
 * scheduler to bound memory).
 */
import { TaskArena, TesseraError, TilePool, isErrorCode } from "@tessera/core";
import { order, type Key, type RunOptions, type Scheduler } from "@tessera/graph";
import type { Backend } from "@tessera/kernels";
import { BufferLedger } from "./ledger.js";

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";

/** Wraps a failing task's error with the op and block so the user can find it. */
export function taskError(key: Key, op: string, cause: unknown): TesseraError {
  if (cause instanceof TesseraError && cause.code !== "TaskError") return cause;
  // A TesseraError raised in a worker (or by another copy of the package) arrives as an Error with its code: the
  // kind of mistake it names is kept.
  const code = (cause as { code?: unknown } | null)?.code;
  if (cause instanceof Error && isErrorCode(code) && code !== "TaskError") return new TesseraError(code, cause.message, { cause });
  const msg = cause instanceof Error ? cause.message : String(cause);
  return new TesseraError("TaskError", `task ${key} (op ${op}) failed: ${msg}`, { cause });
}

export function abortError(signal: AbortSignal): TesseraError {
  const reason: unknown = signal.reason;
  return new TesseraError("AbortError", `compute aborted${reason instanceof Error ? `: ${reason.message}` : ""}`, { cause: reason });
}

export function syncScheduler(backend: Backend, options: { readonly pool?: TilePool } = {}): Scheduler {
  const pool = options.pool ?? new TilePool({ maxFreePerClass: 8 });
  return {
    name: "sync",
    async run(graph, options = {}) {
      const { signal, onEvent, onOutput } = options;
      const retain = options.retainOutputs ?? true;
      const ledger = new BufferLedger(pool);
      for (const c of graph.constants.values()) ledger.escape(c);
      const keys = order(graph);
      const outputs = new Set(graph.outputs);
      const remaining = new Map<Key, number>();
      for (const t of graph.tasks.values()) for (const a of t.args) remaining.set(a, (remaining.get(a) ?? 0) + 1);
      const values = new Map<Key, unknown>();
      const result = new Map<Key, unknown>();
      const t0 = onEvent ? performance.now() : 0;
      onEvent?.({ type: "compute-start", tasks: keys.length });
      for (const key of keys) {
        if (signal?.aborted) throw abortError(signal);
        const task = graph.tasks.get(key)!;
        const kernel = backend.kernel(task.op);
        if (!kernel) throw taskError(key, task.op, new Error(`backend ${backend.name} has no kernel for op ${task.op}`));
        const inputs = task.args.map((a) => values.get(a));
        let start = 0;
        if (onEvent) {
          onEvent({ type: "task-start", key, op: task.op, placement: task.placement, nbytes: task.nbytes });
          start = performance.now();
        }
        let value: unknown;
        const arena = new TaskArena(pool);
        try {
          value = kernel(inputs, task.attrs, { constants: graph.constants, alloc: arena });
          if (isThenable(value)) value = await value;
        } catch (e) {
          arena.abandon();
          onEvent?.({ type: "compute-end", tasks: keys.length, ms: performance.now() - t0, failed: true });
          throw taskError(key, task.op, e);
        }
        arena.finish(value);
        ledger.hold(value);
        if (onEvent) onEvent({ type: "task-end", key, op: task.op, placement: task.placement, nbytes: task.nbytes, backend: backend.name, ms: performance.now() - start });
        for (const a of task.args) {
          const r = (remaining.get(a) ?? 1) - 1;
          remaining.set(a, r);
          if (r === 0 && !outputs.has(a)) {
            ledger.release(values.get(a));
            values.delete(a);
          }
        }
        if (outputs.has(key)) {
          // The user gets it: its memory is never reused.
          ledger.escape(value);
          if (retain) result.set(key, value);
          if (onOutput) {
            const w = onOutput(key, value);
            if (isThenable(w)) await w;
          }
          if ((remaining.get(key) ?? 0) > 0) values.set(key, value);
        } else values.set(key, value);
      }
      onEvent?.({ type: "compute-end", tasks: keys.length, ms: performance.now() - t0 });
      return result;
    },
  };
}
