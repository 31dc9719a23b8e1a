/**
 * The elementwise kernel: one generated loop per (op, output dtype, operand kinds), over tiles broadcast
 * against each other and scalars. Arithmetic runs on JS doubles and is rounded once on store, which gives
 * exactly rounded float32 results for + - * / and sqrt (double rounding is innocuous for those).
 */
import { broadcastShapes, contiguousTile, freshAllocator, isBig, sizeOf, type Allocator, type DType, type Tile } from "@tessera/core";
import type { Attrs } from "@tessera/graph";
import { EW, type EwDef, type EwOp, type KernelContext } from "@tessera/kernels";
import { read, runNest, store } from "../loops.js";
import { broadcastStrides } from "../tiles.js";
import { asTile } from "./values.js";

export type EwAttrs = {
  readonly fn: EwOp;
  readonly out: DType;
  /** One entry per operand of the op: a number is a scalar, null takes the next input tile. */
  readonly operands: readonly (number | null)[];
};

const NAMES = ["a", "b", "c"] as const;

export function ewTiles(fn: EwOp, out: DType, operands: readonly (Tile | number)[], alloc: Allocator = freshAllocator): Tile {
  const def: EwDef = EW[fn];
  const tiles = operands.filter((o): o is Tile => typeof o !== "number");
  const shape = broadcastShapes(tiles.map((t) => t.shape));
  const result = contiguousTile(alloc.alloc(out, sizeOf(shape)), shape, out);
  const ops = [result, ...tiles.map((t) => ({ data: t.data, offset: t.offset, strides: broadcastStrides(t, shape) }))];
  const scalars = operands.filter((o): o is number => typeof o === "number");
  const kinds = operands.map((o) => (typeof o === "number" ? "s" : isBig(o.dtype) ? "B" : "t")).join("");
  const outKind = out === "bool" ? "bool" : isBig(out) ? "big" : "plain";
  runNest(`ew:${fn}:${out}:${kinds}`, shape, ops, scalars, (p, s, n) => {
    // Scalars are loop-invariant (declared once); tile operands are read per element.
    const hoisted: string[] = [];
    const perElem: string[] = [];
    let ti = 1;
    let si = 0;
    operands.forEach((o, i) => {
      const name = NAMES[i]!;
      if (typeof o === "number") hoisted.push(`const ${name} = X${si++};`);
      else {
        const k = ti++;
        perElem.push(`const ${name} = ${read(`A${k}`, p[k]!, isBig(o.dtype))};`);
      }
    });
    const bumps = p.map((ptr, k) => `${ptr} += ${s[k]};`).join(" ");
    return `${hoisted.join(" ")}\nfor (let j = 0; j < ${n}; j++) { ${perElem.join(" ")} A0[${p[0]}] = ${store(def.expr(out), outKind)}; ${bumps} }`;
  }, true);
  return result;
}

export function ewKernel(inputs: readonly unknown[], attrs: Attrs, ctx: KernelContext): Tile {
  const a = attrs as EwAttrs;
  let next = 0;
  const operands = a.operands.map((o) => (o === null ? asTile(inputs[next++], "ew") : o));
  return ewTiles(a.fn, a.out, operands, ctx.alloc);
}
