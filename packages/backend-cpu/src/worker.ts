/**
 * The worker-thread entry of the CPU backend (loaded from dist/ by the thread scheduler). Kernels here
 * allocate ordinary ArrayBuffers and results are transferred back (moved, not copied): measured, shared
 * buffers for every intermediate of a fused chain made tasks 1.5-2x slower. Inputs arrive transferred or on
 * shared memory; constants (in-memory arrays) arrive once per compute, on shared memory.
 */
import { parentPort } from "node:worker_threads";
import { isTile } from "@tessera/core";
import type { WorkerReply, WorkerRequest } from "@tessera/kernels";
import { cpuBackend } from "./backend.js";

const constants = new Map<string, unknown>();
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
  const fail = (e: unknown): void => {
    const err = e instanceof Error ? e : new Error(String(e));
    reply({ type: "error", id: msg.id, message: err.message, ...(err.stack ? { stack: err.stack } : {}), ...("code" in err && typeof err.code === "string" ? { code: err.code } : {}) });
  };
  try {
    const kernel = cpuBackend.kernel(msg.op);
    if (!kernel) throw new Error(`backend cpu has no kernel for op ${msg.op}`);
    const done = (value: unknown): void => {
      // A reply that cannot be posted (a value that cannot be cloned) fails the task instead of never answering.
      try {
        reply({ type: "done", id: msg.id, value, ms: performance.now() - t0 }, transferables(value));
      } catch (e) {
        fail(e);
      }
    };
    const value = kernel(msg.inputs, msg.attrs, { constants });
    if (value instanceof Promise) value.then(done, fail);
    else done(value);
  } catch (e) {
    fail(e);
  }
});
