/**
 * A Layer is one node of the high-level graph: a block grid and a rule that makes the task of any one
 * block on demand. Layers are lowered late: only the tasks that the requested outputs need are made.
 */
import { keyOf, type Key, type TaskSpec } from "./task.js";

export interface Layer {
  /** `op-token`: the token hashes the op, the input layers' names and the attributes. */
  readonly name: string;
  readonly numblocks: readonly number[];
  readonly deps: readonly Layer[];
  /** The task that computes block `index`; its args are keys of blocks of `deps`. */
  task(index: readonly number[]): TaskSpec;
  /** Values that this layer's tasks refer to by `ref`. */
  readonly constants?: ReadonlyMap<string, unknown>;
}

export interface LayerInit {
  readonly name: string;
  readonly numblocks: readonly number[];
  readonly deps: readonly Layer[];
  readonly task: (index: readonly number[]) => TaskSpec;
  readonly constants?: ReadonlyMap<string, unknown>;
}

/** Builds a layer from its parts (the rule may close over anything: layers never leave the main thread). */
export function makeLayer(init: LayerInit): Layer {
  return {
    name: init.name,
    numblocks: init.numblocks,
    deps: init.deps,
    task: init.task,
    ...(init.constants ? { constants: init.constants } : {}),
  };
}

/** All block keys of a layer, row-major. */
export function layerKeys(layer: Layer): Key[] {
  const nb = layer.numblocks;
  const total = nb.reduce((a, b) => a * b, 1);
  const keys = new Array<Key>(total);
  const idx = new Array<number>(nb.length).fill(0);
  for (let k = 0; k < total; k++) {
    keys[k] = keyOf(layer.name, idx);
    for (let d = nb.length - 1; d >= 0; d--) {
      if (++idx[d]! < nb[d]!) break;
      idx[d] = 0;
    }
  }
  return keys;
}

/** Every layer reachable from `roots`, by name. */
export function collectLayers(roots: readonly Layer[]): Map<string, Layer> {
  const seen = new Map<string, Layer>();
  const stack = [...roots];
  while (stack.length) {
    const l = stack.pop()!;
    if (seen.has(l.name)) continue;
    seen.set(l.name, l);
    for (const d of l.deps) if (!seen.has(d.name)) stack.push(d);
  }
  return seen;
}
