/**
 * Blockwise fusion: a CPU task whose only consumer is a CPU task of a blockwise kind is folded into that
 * consumer, recursively, so `((x + 1) * 2).sum()` runs one task per block instead of four. The fused task
 * keeps the consumer's key and lists its steps as data (`op: "fused"`, `attrs.steps`). Outputs, tasks
 * with several consumers and non-CPU tasks (I/O, user closures) are never folded away.
 */
import { dependentCounts } from "./lower.js";
import type { Attrs, FusedStep, Graph, Key, Task } from "./task.js";

export interface FuseOptions {
  /** Whether `consumer` may absorb its producers (blockwise ops yes; combines and gathers no). */
  readonly absorbs: (consumer: Task) => boolean;
}

export function fuse(graph: Graph, options: FuseOptions): Graph {
  const deps = dependentCounts(graph.tasks);
  const outputs = new Set(graph.outputs);
  const foldable = (k: Key, consumer: Task): boolean => {
    const t = graph.tasks.get(k);
    return t !== undefined && t.placement === "cpu" && !outputs.has(k) && deps.get(k) === 1 && consumer.placement === "cpu" && options.absorbs(consumer);
  };
  const absorbed = new Set<Key>();
  for (const t of graph.tasks.values()) {
    for (const a of t.args) if (foldable(a, t)) absorbed.add(a);
  }
  if (absorbed.size === 0) return graph;
  const tasks = new Map<Key, Task>();
  for (const t of graph.tasks.values()) {
    if (absorbed.has(t.key)) continue;
    if (!t.args.some((a) => absorbed.has(a))) {
      tasks.set(t.key, t);
      continue;
    }
    tasks.set(t.key, buildFused(t, graph.tasks, absorbed));
  }
  return { tasks, constants: graph.constants, outputs: graph.outputs };
}

function buildFused(root: Task, all: ReadonlyMap<Key, Task>, absorbed: ReadonlySet<Key>): Task {
  const external: Key[] = [];
  const extIndex = new Map<Key, number>();
  const steps: { op: string; attrs: Attrs; inputs: (number | { step: number })[] }[] = [];
  // The fused task holds the root's output afterwards, but needs every step's output while it runs.
  let memory = 0;
  // Post-order walk: a step's inputs are external args or earlier steps.
  const visit = (t: Task): { step: number } => {
    const inputs = t.args.map((a): number | { step: number } => {
      if (absorbed.has(a)) return visit(all.get(a)!);
      let i = extIndex.get(a);
      if (i === undefined) {
        i = external.length;
        external.push(a);
        extIndex.set(a, i);
      }
      return i;
    });
    memory += t.memory ?? t.nbytes;
    steps.push({ op: t.op, attrs: t.attrs, inputs });
    return { step: steps.length - 1 };
  };
  visit(root);
  const n = external.length;
  const flat: FusedStep[] = steps.map((s) => ({ op: s.op, attrs: s.attrs, inputs: s.inputs.map((i) => (typeof i === "number" ? i : n + i.step)) }));
  return { key: root.key, op: "fused", args: external, attrs: { steps: flat }, placement: "cpu", nbytes: root.nbytes, memory };
}
