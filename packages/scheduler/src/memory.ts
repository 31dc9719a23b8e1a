/**
 * The memory rule (Cubed's): every task carries its projected bytes; a plan in which one task alone,
 * with its inputs, would exceed the limit is refused before anything runs.
 */
import { TesseraError } from "@tessera/core";
import type { Graph, Task } from "@tessera/graph";
import { freemem, totalmem } from "node:os";

/** Default memory limit: half of the machine's memory. */
export const defaultMemoryLimit = (): number => Math.floor(totalmem() / 2);

const fmt = (b: number): string => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${b} B`);
export { fmt as formatBytes };

/** The shape of the block a task makes, where its attributes (or its fused steps') say it. */
function blockShapeOf(t: Task): number[] | undefined {
  const steps = t.op === "fused" ? [...(t.attrs["steps"] as { attrs: Record<string, unknown> }[])].reverse() : [{ attrs: t.attrs as Record<string, unknown> }];
  for (const s of steps) {
    const shape = s.attrs["shape"];
    if (Array.isArray(shape) && shape.every((n) => typeof n === "number")) return shape as number[];
  }
  return undefined;
}

/** Throws a MemoryLimit error naming the first task that cannot fit, its bytes and a rechunk that would. */
export function refuseOversized(graph: Graph, limit: number): void {
  // Report a task that is too big by itself before one that is too big only with its inputs.
  const need = (t: Task): number => (t.memory ?? t.nbytes) + t.args.reduce((acc, a) => acc + (graph.tasks.get(a)?.nbytes ?? 0), 0);
  const over = [...graph.tasks.values()].filter((t) => need(t) > limit);
  const t = over.find((x) => (x.memory ?? x.nbytes) > limit) ?? over[0];
  if (!t) return;
  const inputs = need(t) - (t.memory ?? t.nbytes);
  const what = `memoryLimit: task ${t.key} (op ${t.op}${t.op === "fused" ? ` of ${(t.attrs["steps"] as { op: string }[]).map((st) => st.op).join(" > ")}` : ""}) needs ${fmt(need(t))} (${fmt(t.memory ?? t.nbytes)} to run, ${fmt(inputs)} of inputs) but the limit is ${fmt(limit)}`;
  // A whole result assembled for the user cannot be made smaller by rechunking: it must not be assembled at all.
  // Raising the limit is a fix only where the machine has the memory.
  const raise = need(t) < freemem() ? `, or raise memoryLimit (machine free: ${fmt(freemem())})` : "";
  if (t.op === "assemble" && t.attrs["dense"] === true && graph.outputs.includes(t.key) && (t.memory ?? t.nbytes) > limit) {
    throw new TesseraError("MemoryLimit", `${what}: the result itself (${fmt(t.nbytes)}) is larger than the limit; write it with toZarr() or store(), stream it with blocks(), or reduce it first${raise}`);
  }
  // Blocks a factor F smaller (F >= 2), along a real axis of the block where the graph says its shape.
  const factor = Math.max(2, Math.ceil(need(t) / limit));
  const shape = blockShapeOf(t) ?? t.args.map((a) => graph.tasks.get(a)).filter((x): x is Task => x !== undefined).sort((a, b) => b.nbytes - a.nbytes).map(blockShapeOf).find((s) => s !== undefined);
  const axis = shape && shape.length > 0 ? shape.indexOf(Math.max(...shape)) : -1;
  const how = shape && axis >= 0 && shape[axis]! >= factor ? `split axis ${axis} of the (${shape.join(", ")}) blocks into ${factor} parts` : `split each block ${factor} ways along its largest axis`;
  throw new TesseraError("MemoryLimit", `${what}; rechunk so that blocks are about ${factor}x smaller (e.g. ${how})${raise}`);
}
