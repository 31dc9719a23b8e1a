/** A fused task: its steps run in order; step inputs index the task's inputs, then earlier steps. */
import type { Tile } from "@tessera/core";
import type { Attrs, FusedStep } from "@tessera/graph";
import type { Kernel, KernelContext } from "@tessera/kernels";
import { evalEwTree, planEwTrees, virtualOf } from "./ew-tree.js";

/** Ops that take a virtual block (an elementwise tree evaluated in their own loop). */
const FUSES_INPUT = new Set(["reduce-chunk", "reduce-multi"]);

/**
 * Runs a fused task's steps in order. Chains of elementwise steps run as one loop (see ew-tree.ts): a step
 * merged into a later one produces no value of its own.
 */
export function makeFusedKernel(lookup: (op: string) => Kernel | undefined): Kernel {
  return (inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): unknown => {
    const steps = attrs["steps"] as readonly FusedStep[];
    const plan = planEwTrees(steps, inputs.length);
    // A tree whose only consumer is a reduction stays virtual: the reduction evaluates it per element.
    const consumer = new Map<number, string>();
    steps.forEach((s) => s.inputs.forEach((src) => consumer.set(src, s.op)));
    const values: unknown[] = [...inputs];
    // Steps run in order; an async step (a module kernel: a decoder, a user's module function) is awaited
    // and the steps after it continue once its value is there.
    const runFrom = (first: number): unknown => {
      for (let i = first; i < steps.length; i++) {
        const s = steps[i]!;
        const p = plan[i];
        if (p === "inlined") values.push(undefined);
        else if (p !== undefined && FUSES_INPUT.has(consumer.get(inputs.length + i) ?? "")) values.push(virtualOf(p, (src) => values[src] as Tile));
        else if (p !== undefined) values.push(evalEwTree(p, (src) => values[src] as Tile, ctx.alloc));
        else {
          const k = lookup(s.op);
          if (!k) throw new Error(`fused: no kernel for op ${s.op}`);
          const v = k(s.inputs.map((j) => values[j]), s.attrs, ctx);
          if (v instanceof Promise) {
            return v.then((resolved) => {
              values.push(resolved);
              return runFrom(i + 1);
            });
          }
          values.push(v);
        }
      }
      return values[values.length - 1];
    };
    return runFrom(0);
  };
}
