/**
 * Static ordering (dask's policy in its simplest form): a depth-first post-order from the outputs, taken
 * in order, visiting each task's inputs in argument order. A branch is finished before the next starts,
 * so partial results are combined, and released, as early as possible. Lower number = run earlier.
 */
import type { Graph, Key } from "./task.js";

export function order(graph: Graph): Key[] {
  const done = new Set<Key>();
  const out: Key[] = [];
  // Iterative DFS: a frame is [key, next-arg-position].
  const stack: [Key, number][] = [];
  for (const root of graph.outputs) {
    if (done.has(root)) continue;
    stack.push([root, 0]);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const task = graph.tasks.get(top[0]);
      const args = task ? task.args : [];
      if (top[1] < args.length) {
        const a = args[top[1]++]!;
        if (!done.has(a)) {
          done.add(a); // mark on entry: a shared input is visited once
          stack.push([a, 0]);
        }
        continue;
      }
      stack.pop();
      done.add(top[0]);
      out.push(top[0]);
    }
  }
  return out;
}

/** Priorities: position in `order(graph)`. */
export function priorities(graph: Graph): Map<Key, number> {
  const m = new Map<Key, number>();
  order(graph).forEach((k, i) => m.set(k, i));
  return m;
}

/**
 * For each task, the index in `graph.outputs` of the first output that needs it: a consumer that takes outputs
 * in order needs the tasks of output i by the time it gets there (streaming schedules by it).
 */
export function firstOutputs(graph: Graph): Map<Key, number> {
  const first = new Map<Key, number>();
  graph.outputs.forEach((o, i) => {
    const stack = [o];
    while (stack.length) {
      const x = stack.pop()!;
      if (first.has(x)) continue;
      first.set(x, i);
      for (const a of graph.tasks.get(x)?.args ?? []) if (!first.has(a)) stack.push(a);
    }
  });
  return first;
}
