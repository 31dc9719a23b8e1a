/**
 * Lowering: from the requested output keys, make exactly the tasks they need (culling is lowering's
 * nature, not a pass), collecting the constants of the layers whose tasks were made.
 */
import { collectLayers, type Layer } from "./layer.js";
import { parseKey, type Graph, type Key, type Task } from "./task.js";

export function lower(roots: readonly Layer[], outputs: readonly Key[]): Graph {
  const layers = collectLayers(roots);
  const tasks = new Map<Key, Task>();
  const constants = new Map<string, unknown>();
  const usedLayers = new Set<string>();
  const stack: Key[] = [...outputs];
  while (stack.length) {
    const key = stack.pop()!;
    if (tasks.has(key)) continue;
    const { name, index } = parseKey(key);
    const layer = layers.get(name);
    if (!layer) throw new Error(`lower: no layer named ${name} (key ${key})`);
    const spec = layer.task(index);
    tasks.set(key, spec.memory === undefined ? { key, op: spec.op, args: spec.args, attrs: spec.attrs, placement: spec.placement, nbytes: spec.nbytes } : { key, ...spec });
    if (!usedLayers.has(name)) {
      usedLayers.add(name);
      if (layer.constants) for (const [k, v] of layer.constants) constants.set(k, v);
    }
    for (const a of spec.args) if (!tasks.has(a)) stack.push(a);
  }
  return { tasks, constants, outputs: [...outputs] };
}

/** For each key, how many tasks consume it. */
export function dependentCounts(tasks: ReadonlyMap<Key, Task>): Map<Key, number> {
  const out = new Map<Key, number>();
  for (const t of tasks.values()) for (const a of t.args) out.set(a, (out.get(a) ?? 0) + 1);
  return out;
}

/** For each key, the keys of the tasks that consume it. */
export function dependents(tasks: ReadonlyMap<Key, Task>): Map<Key, Key[]> {
  const out = new Map<Key, Key[]>();
  for (const k of tasks.keys()) out.set(k, []);
  for (const t of tasks.values()) for (const a of t.args) out.get(a)?.push(t.key);
  return out;
}
