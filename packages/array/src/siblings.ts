/**
 * Sibling reductions: `reduce-chunk` tasks that read the same block (`compute(x.mean(), x.std())`) are
 * merged into one `reduce-multi` task that returns every partial, followed by a `pick` per old task. The
 * block then has one consumer, so fusion folds its producer chain into the merged task and the block is
 * made and reduced in one place, never held or moved between threads.
 */
import { tokenize } from "@tessera/core";
import type { Graph, Key, Task } from "@tessera/graph";

export function mergeSiblingReductions(graph: Graph): Graph {
  const groups = new Map<string, Task[]>();
  for (const t of graph.tasks.values()) {
    if (t.op !== "reduce-chunk" || graph.outputs.includes(t.key)) continue;
    // Chunk tasks of small blocks read a group of blocks: siblings read the same group.
    const inputs = t.args.join("\n");
    const g = groups.get(inputs);
    if (g) g.push(t);
    else groups.set(inputs, [t]);
  }
  if (![...groups.values()].some((g) => g.length > 1)) return graph;
  const tasks = new Map(graph.tasks);
  for (const [inputs, members] of groups) {
    if (members.length < 2) continue;
    const key = `reduce-multi-${tokenize(members.map((m) => m.key))}:`;
    const nbytes = members.reduce((acc, m) => acc + m.nbytes, 0);
    tasks.set(key, { key, op: "reduce-multi", args: inputs.split("\n"), attrs: { parts: members.map((m) => m.attrs) }, placement: "cpu", nbytes, memory: nbytes });
    members.forEach((m, index) => tasks.set(m.key, { key: m.key, op: "pick", args: [key], attrs: { index }, placement: "cpu", nbytes: m.nbytes }));
  }
  return { tasks, constants: graph.constants, outputs: graph.outputs };
}
