/** A fused task: its steps run in order; step inputs index the task's inputs, then earlier steps. */
import type { Attrs, FusedStep } from "@tessera/graph";
import type { Kernel, KernelContext } from "@tessera/kernels";

export function makeFusedKernel(lookup: (op: string) => Kernel | undefined): Kernel {
  return (inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): unknown => {
    const steps = attrs["steps"] as readonly FusedStep[];
    const values: unknown[] = [...inputs];
    for (const s of steps) {
      const k = lookup(s.op);
      if (!k) throw new Error(`fused: no kernel for op ${s.op}`);
      values.push(k(s.inputs.map((i) => values[i]), s.attrs, ctx));
    }
    return values[values.length - 1];
  };
}
