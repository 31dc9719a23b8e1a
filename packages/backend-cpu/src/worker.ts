/**
 * The worker-thread entry of the CPU backend (loaded from dist/ by the thread scheduler). Tiles of 64 KiB and
 * more come from this thread's tile pool (shared memory, reused: see @tessera/core pool.ts); what a task made
 * and does not return goes back to the pool when it ends, so a chunk read and reduced in one task costs no
 * fresh memory after the first. Results on pooled memory cross back as handles; small ones are ordinary
 * buffers, transferred (moved). The main thread hands over free buffers with tasks (`grants`); the pool keeps
 * at most `KEEP` free buffers per size class and hands the rest back with the reply.
 */
import { parentPort, workerData } from "node:worker_threads";
import { TaskArena, TilePool, isTile, type TilePoolOptions } from "@tessera/core";
import type { WorkerReply, WorkerRequest } from "@tessera/kernels";
import { cpuBackend } from "./backend.js";

const constants = new Map<string, unknown>();
const KEEP = 2;
const pool = new TilePool((workerData as { tiles?: TilePoolOptions } | null)?.tiles ?? {});
const port = parentPort;
if (!port) throw new Error("@tessera/backend-cpu/worker must run in a worker thread");

/** The non-shared buffers a value holds (each once): moved, not copied, back to the main thread. */
function transferables(value: unknown, out = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (isTile(value)) {
    // Zero-length buffers stay (a detached one in a transfer list would make Node drop the reply).
    if (!(value.data.buffer instanceof SharedArrayBuffer) && value.data.buffer.byteLength > 0) out.add(value.data.buffer as ArrayBuffer);
  } else if (Array.isArray(value)) for (const v of value) transferables(v, out);
  return [...out];
}

const reply = (msg: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

port.on("message", (msg: WorkerRequest) => {
  if (msg.type === "constants") {
    for (const [k, v] of msg.entries) constants.set(k, v);
    return;
  }
  if (msg.type === "forget") {
    for (const k of msg.refs) constants.delete(k);
    return;
  }
  const t0 = performance.now();
  for (const g of msg.grants ?? []) pool.give(g);
  const arena = new TaskArena(pool);
  const fail = (e: unknown): void => {
    arena.abandon();
    const err = e instanceof Error ? e : new Error(String(e));
    reply({ type: "error", id: msg.id, message: err.message, ...(err.stack ? { stack: err.stack } : {}), ...("code" in err && typeof err.code === "string" ? { code: err.code } : {}) });
  };
  try {
    const kernel = cpuBackend.kernel(msg.op);
    if (!kernel) throw new Error(`backend cpu has no kernel for op ${msg.op}`);
    const done = (value: unknown): void => {
      // A reply that cannot be posted (a value that cannot be cloned) fails the task instead of never answering.
      try {
        arena.finish(value);
        const returned = pool.surplus(KEEP);
        reply({ type: "done", id: msg.id, value, ms: performance.now() - t0, poolFree: pool.stats.freeBytes, returned }, transferables(value));
      } catch (e) {
        fail(e);
      }
    };
    const value = kernel(msg.inputs, msg.attrs, { constants, alloc: arena });
    if (value instanceof Promise) value.then(done, fail);
    else done(value);
  } catch (e) {
    fail(e);
  }
});
