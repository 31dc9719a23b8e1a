/**
 * The memory rule (Cubed's): every task carries its projected bytes; a plan in which one task alone,
 * with its inputs, would exceed the limit is refused before anything runs.
 */
import { TesseraError } from "@tessera/core";
import { parseKey, type Graph } from "@tessera/graph";
import { freemem, totalmem } from "node:os";

/** Default memory limit: half of the machine's memory. */
export const defaultMemoryLimit = (): number => Math.floor(totalmem() / 2);

const fmt = (b: number): string => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${b} B`);
export { fmt as formatBytes };

/** Throws a MemoryLimit error naming the first task that cannot fit, its bytes and a rechunk that would. */
export function refuseOversized(graph: Graph, limit: number): void {
  for (const t of graph.tasks.values()) {
    const inputs = t.args.reduce((acc, a) => acc + (graph.tasks.get(a)?.nbytes ?? 0), 0);
    const need = t.nbytes + inputs;
    if (need <= limit) continue;
    const factor = Math.ceil(need / limit) * 2;
    throw new TesseraError(
      "MemoryLimit",
      `memoryLimit: task ${t.key} (op ${t.op} of ${parseKey(t.key).name}) needs ${fmt(need)} (${fmt(t.nbytes)} out, ${fmt(inputs)} in) but the limit is ${fmt(limit)}; ` +
        `rechunk so that blocks are about ${factor}x smaller (e.g. halve the block size along ${Math.ceil(Math.log2(factor))} axes), or raise memoryLimit (machine free: ${fmt(freemem())})`,
    );
  }
}
