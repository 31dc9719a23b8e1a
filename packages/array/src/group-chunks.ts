/**
 * Grouping small blocks of a reduction: a `reduce-combine` whose inputs are all `reduce-chunk` tasks of
 * small blocks (each read by that combine only) becomes one `reduce-chunk` over all their blocks, which
 * folds them into a single partial. Without it every small block makes a float64 partial of its own (for
 * a mean over a stack of uint8 images, eight times the bytes of the block) and a task of its own, and the
 * partials, not the data, set the cost. A group's blocks are all held while it runs: its input is kept
 * under `groupBytes`, or under the bytes of the partials it replaces where those are more (holding the
 * blocks then costs less than holding the partials would), and always under `maxBytes` (a sixteenth of the
 * memory limit). One level only, so parallelism is kept.
 */
import { dependentCounts, type Graph, type Key, type Task } from "@tessera/graph";

/** Input bytes one grouped task may fold, at most. */
export const GROUP_BYTES = 16 * 2 ** 20;

const sameAttrs = (a: Task, b: Task): boolean => a.attrs["kind"] === b.attrs["kind"] && String(a.attrs["axes"]) === String(b.attrs["axes"]);

export function groupReductionChunks(graph: Graph, groupBytes: number = GROUP_BYTES, maxBytes: number = Infinity): Graph {
  if (!(groupBytes > 0)) return graph;
  const deps = dependentCounts(graph.tasks);
  const outputs = new Set(graph.outputs);
  const replaced = new Map<Key, Task>();
  const dropped = new Set<Key>();
  for (const c of graph.tasks.values()) {
    if (c.op !== "reduce-combine") continue;
    const parts = c.args.map((a) => graph.tasks.get(a));
    const first = parts[0];
    if (!first || String(first.attrs["kind"]).startsWith("arg")) continue;
    const groupable = parts.every((p) => p !== undefined && p.op === "reduce-chunk" && p.args.length === 1 && deps.get(p.key) === 1 && !outputs.has(p.key) && sameAttrs(p, first));
    if (!groupable) continue;
    const blocks = parts.map((p) => p!.args[0]!);
    const bytes = blocks.reduce((acc, b) => acc + (graph.tasks.get(b)?.nbytes ?? 0), 0);
    const partials = parts.reduce((acc, p) => acc + p!.nbytes, 0);
    if (bytes > Math.min(maxBytes, Math.max(groupBytes, partials))) continue;
    replaced.set(c.key, { key: c.key, op: "reduce-chunk", args: blocks, attrs: first.attrs, placement: "cpu", nbytes: c.nbytes });
    for (const p of parts) dropped.add(p!.key);
  }
  if (replaced.size === 0) return graph;
  const tasks = new Map<Key, Task>();
  for (const [k, t] of graph.tasks) if (!dropped.has(k)) tasks.set(k, replaced.get(k) ?? t);
  return { tasks, constants: graph.constants, outputs: graph.outputs };
}
