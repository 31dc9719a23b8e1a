/**
 * Elementwise chains as one loop: inside a fused task, an `ew` step whose inputs come from other `ew`
 * steps is compiled with them into a single expression, evaluated per element with no intermediate
 * arrays. Each intermediate keeps NumPy's semantics: its value is converted to its dtype exactly as a
 * typed-array store would (Math.fround for float32, ToInt32 and masks for integers, 0/1 for bool).
 * Chains through 64-bit integers are not merged.
 */
import { broadcastShapes, contiguousTile, freshAllocator, isBig, sizeOf, type Allocator, type DType, type Tile } from "@tessera/core";
import type { FusedStep } from "@tessera/graph";
import { EW, type EwDef, type EwOp } from "@tessera/kernels";
import { read, runNest, store } from "../loops.js";
import { broadcastStrides } from "../tiles.js";
import type { EwAttrs } from "./elementwise.js";

/** A node's operand: a leaf (index into the leaf tiles), a scalar, or another node. */
type Operand = { leaf: number } | { scalar: number } | { node: Node };
export interface Node {
  readonly fn: EwOp;
  readonly out: DType;
  readonly operands: Operand[];
}

/** The conversion a typed-array store of dtype `d` applies to a JS number. */
function convert(v: string, d: DType): string {
  switch (d) {
    case "float64":
      return v;
    case "float32":
      return `Math.fround(${v})`;
    case "int32":
      return `((${v}) | 0)`;
    case "uint32":
      return `((${v}) >>> 0)`;
    case "int16":
      return `(((${v}) << 16) >> 16)`;
    case "uint16":
      return `((${v}) & 0xffff)`;
    case "int8":
      return `(((${v}) << 24) >> 24)`;
    case "uint8":
      return `((${v}) & 0xff)`;
    case "bool":
      return `((${v}) != 0 ? 1 : 0)`;
    default:
      throw new Error(`ew-tree: no inline conversion to ${d}`);
  }
}

const NAMES = ["a", "b", "c"] as const;


/** Code that computes a node into variable `v<n>`; returns the statements and the variable name. */
function emit(node: Node, leafVar: (i: number) => string, scalarVar: () => string, counter: { n: number }, lines: string[]): string {
  const args = node.operands.map((o) => ("leaf" in o ? leafVar(o.leaf) : "scalar" in o ? scalarVar() : emit(o.node, leafVar, scalarVar, counter, lines)));
  const v = `v${counter.n++}`;
  const def: EwDef = EW[node.fn];
  const decl = args.map((x, i) => `const ${NAMES[i]} = ${x};`).join(" ");
  // Every node's value is converted to its dtype, as a typed-array store would (the root too: reductions read it).
  lines.push(`let ${v}; { ${decl} ${v} = ${convert(def.expr(node.out), node.out)}; }`);
  return v;
}

/**
 * Plans a fused task's steps: which `ew` steps merge into a later `ew` step (their only consumer, since
 * fused steps form a tree). Returns, per step, the tree to evaluate for root ew steps, or "inlined".
 */
export function planEwTrees(steps: readonly FusedStep[], nInputs: number): (Node | "inlined" | undefined)[] {
  const plan: (Node | "inlined" | undefined)[] = steps.map(() => undefined);
  const nodes = new Map<number, Node>();
  const mergeable = (i: number): boolean => steps[i]!.op === "ew" && !isBig((steps[i]!.attrs as EwAttrs).out);
  steps.forEach((st, i) => {
    if (!mergeable(i)) return;
    const a = st.attrs as EwAttrs;
    let next = 0;
    const operands: Operand[] = a.operands.map((o): Operand => {
      if (o !== null) return { scalar: o };
      const src = st.inputs[next++]!;
      const s = src - nInputs;
      if (s >= 0 && nodes.has(s)) {
        plan[s] = "inlined";
        return { node: nodes.get(s)! };
      }
      return { leaf: src };
    });
    const node: Node = { fn: a.fn, out: a.out, operands };
    nodes.set(i, node);
    plan[i] = node;
  });
  return plan;
}

/**
 * An elementwise tree not evaluated yet: a reduction that consumes it computes each element in its own
 * loop (reduction fusion), so the block is never written to memory.
 */
export interface Virtual {
  readonly virtual: true;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly leaves: readonly Tile[];
  /** Identifies the generated code (operation tree and leaf kinds). */
  readonly signature: string;
  /** Statements computing the element's value (converted to `dtype`) into the returned variable. */
  readonly code: (leafRead: (i: number) => string, scalar: (i: number) => string) => { lines: string[]; value: string };
  readonly scalars: readonly number[];
}

export const isVirtual = (v: unknown): v is Virtual => typeof v === "object" && v !== null && (v as Virtual).virtual === true;

/** Wraps an expression tree over its leaf values as a Virtual. */
export function virtualOf(root: Node, value: (src: number) => Tile): Virtual {
  const { leaves, scalars } = collectLeaves(root);
  const tiles = leaves.map(value);
  const signature = signatureOf(root, leaves, tiles);
  return {
    virtual: true,
    shape: broadcastShapes(tiles.map((t) => t.shape)),
    dtype: root.out,
    leaves: tiles,
    signature,
    scalars,
    code: (leafRead, scalar) => {
      const lines: string[] = [];
      let si = 0;
      const v = emit(root, (leaf) => leafRead(leaves.indexOf(leaf)), () => scalar(si++), { n: 0 }, lines);
      return { lines, value: v };
    },
  };
}

/** A virtual block made real (for consumers that need memory: arg-reductions). */
export function materializeVirtual(v: Virtual, alloc: Allocator = freshAllocator): Tile {
  const result = contiguousTile(alloc.alloc(v.dtype, sizeOf(v.shape)), v.shape, v.dtype);
  const ops = [result, ...v.leaves.map((t) => ({ data: t.data, offset: t.offset, strides: broadcastStrides(t, v.shape) }))];
  runNest(`ewvirt:${v.signature}`, v.shape, ops, v.scalars, (p, s, n) => {
    const { lines, value } = v.code((i) => read(`A${i + 1}`, p[i + 1]!, isBig(v.leaves[i]!.dtype)), (i) => `X${i}`);
    return `for (let j = 0; j < ${n}; j++) { ${lines.join(" ")} A0[${p[0]}] = ${value}; ${p.map((q, k) => `${q} += ${s[k]};`).join(" ")} }`;
  }, true);
  return result;
}

function collectLeaves(root: Node): { leaves: number[]; scalars: number[] } {
  const leaves: number[] = [];
  const scalars: number[] = [];
  const walk = (n: Node): void => {
    for (const o of n.operands) {
      if ("leaf" in o && !leaves.includes(o.leaf)) leaves.push(o.leaf);
      else if ("scalar" in o) scalars.push(o.scalar);
      else if ("node" in o) walk(o.node);
    }
  };
  walk(root);
  return { leaves, scalars };
}

function signatureOf(root: Node, leaves: readonly number[], tiles: readonly Tile[]): string {
  const sig = (n: Node): string => `${n.fn}:${n.out}(${n.operands.map((o) => ("leaf" in o ? `L${leaves.indexOf(o.leaf)}${tiles[leaves.indexOf(o.leaf)]!.dtype}` : "scalar" in o ? "S" : sig(o.node))).join(",")})`;
  return sig(root);
}

/** Evaluates an expression tree over its leaf values (tiles) in one loop nest. */
export const evalEwTree = (root: Node, value: (src: number) => Tile, alloc: Allocator = freshAllocator): Tile => materializeVirtual(virtualOf(root, value), alloc);
