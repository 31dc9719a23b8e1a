/**
 * Rechunks that cannot be done in memory go through a temporary store (Cubed's approach). A rechunk's merge
 * (an `assemble` task) gathers, for each new block, pieces of every old block it overlaps, directly or through
 * `slice` views; either way those old blocks must be held at once, so rows -> columns needs every old block in
 * memory to make the first new block. When the old blocks one merge needs exceed half the memory limit, the
 * pieces each old block gives to such merges are written, one after the other, to a file of its own as soon as
 * the block is made (`spill-write`); the block is let go after that, and each merge reads its pieces back at
 * their offsets (`spill-gather`, whose inputs are the writes, for ordering only). Every task then holds about
 * one old or one new block, at the price of writing and reading the array once more. The files live in a
 * directory the compute makes and removes (`runGraph`).
 */
import type { Graph, Key, Task } from "@tessera/graph";

type SliceItem = { readonly start: number; readonly step: number; readonly count: number };
type Piece = { readonly arg: number; readonly src: readonly number[]; readonly dst: readonly number[]; readonly shape: readonly number[] };
/** A piece of a merge as a region of an old block. */
type Source = { readonly block: Key; readonly items: SliceItem[]; readonly dst: readonly number[]; readonly shape: readonly number[] };

/** A merge's pieces as regions of the blocks under them (through step-1 slice views), or undefined. */
function sources(t: Task, tasks: ReadonlyMap<Key, Task>): Source[] | undefined {
  if (t.op !== "assemble" || t.attrs["dense"] === true || t.args.length < 2) return undefined;
  const out: Source[] = [];
  for (const p of t.attrs["pieces"] as readonly Piece[]) {
    const arg = tasks.get(t.args[p.arg]!);
    if (!arg) return undefined;
    const view = arg.op === "slice" && arg.memory === 0 && arg.args.length === 1 ? (arg.attrs["items"] as readonly (SliceItem | { index: number })[]) : undefined;
    if (view && (!view.every((it): it is SliceItem => "step" in it && it.step === 1) || (arg.attrs["newAxes"] as unknown[]).length > 0)) return undefined;
    const base = view ? (view as SliceItem[]).map((it) => it.start) : p.src.map(() => 0);
    out.push({ block: view ? arg.args[0]! : arg.key, items: p.src.map((s, d) => ({ start: base[d]! + s, step: 1, count: p.shape[d]! })), dst: p.dst, shape: p.shape });
  }
  return out;
}

/** Rewrites the merges that would hold more than half of `limit` in old blocks; `dir()` makes the store's directory. */
export function spillRechunks(graph: Graph, limit: number, dir: () => string): Graph {
  const spill: { merge: Task; from: Source[] }[] = [];
  for (const t of graph.tasks.values()) {
    const from = sources(t, graph.tasks);
    if (!from) continue;
    let bytes = 0;
    for (const b of new Set(from.map((s) => s.block))) bytes += graph.tasks.get(b)?.nbytes ?? 0;
    if (bytes > limit / 2) spill.push({ merge: t, from });
  }
  if (spill.length === 0) return graph;
  const root = dir();
  const tasks = new Map(graph.tasks);
  const size = (t: Task, shape: readonly number[]): number => (t.nbytes / Math.max(1, shapeSize(t))) * shape.reduce((a, b) => a * b, 1);
  // One file per old block: the pieces it gives, one after the other.
  const writes = new Map<Key, { key: Key; file: string; pieces: SliceItem[][]; bytes: number }>();
  for (const { merge, from } of spill) {
    const placed = from.map((s) => {
      let w = writes.get(s.block);
      if (!w) writes.set(s.block, (w = { key: `${s.block}~spill`, file: `${root}/b${writes.size}`, pieces: [], bytes: 0 }));
      const offset = w.bytes;
      w.pieces.push(s.items);
      w.bytes += size(merge, s.shape);
      return { file: w.file, offset, stored: [...s.shape], src: s.shape.map(() => 0), dst: s.dst, shape: s.shape, write: w.key };
    });
    // The merge keeps its key (its consumers do not change) and reads its pieces back once their blocks are written.
    const pieces = placed.map(({ write: _w, ...p }) => p);
    tasks.set(merge.key, { ...merge, op: "spill-gather", args: [...new Set(placed.map((p) => p.write))], attrs: { shape: merge.attrs["shape"]!, dtype: merge.attrs["dtype"]!, pieces } });
  }
  for (const [block, w] of writes) {
    tasks.set(w.key, { key: w.key, op: "spill-write", args: [block], attrs: { file: w.file, pieces: w.pieces }, placement: "cpu", nbytes: 0, memory: w.bytes });
  }
  return dropUnused({ tasks, constants: graph.constants, outputs: graph.outputs });
}

/** Elements of a task's output (from the `shape` attribute of an assemble). */
function shapeSize(t: Task): number {
  return (t.attrs["shape"] as readonly number[]).reduce((a, b) => a * b, 1);
}

/** Removes tasks nothing consumes any more (the slice views the merges used), so none is held for nothing. */
function dropUnused(graph: Graph): Graph {
  const tasks = new Map(graph.tasks);
  const outputs = new Set(graph.outputs);
  for (;;) {
    const used = new Set<Key>();
    for (const t of tasks.values()) for (const a of t.args) used.add(a);
    const unused = [...tasks.keys()].filter((k) => !used.has(k) && !outputs.has(k));
    if (unused.length === 0) return { tasks, constants: graph.constants, outputs: graph.outputs };
    for (const k of unused) tasks.delete(k);
  }
}
