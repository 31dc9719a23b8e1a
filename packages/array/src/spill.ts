/**
 * Rechunks that cannot be done in memory go through a temporary store (Cubed's approach). A rechunk's merge
 * step gathers, for each new block, a piece (a `slice` view) of every old block it overlaps; the views keep
 * those old blocks alive, so rows -> columns needs every old block held at once to make the first new block.
 * When the old blocks one merge needs exceed half the memory limit, each piece is written to a file as soon as
 * its old block is made (`spill-write`), the old block is let go once all its pieces are written, and each
 * merge reads its pieces back (`spill-read`): every task then holds about one old or one new block, at the
 * price of writing and reading the array once more. The files live in a directory the compute makes and
 * removes (`runGraph`).
 */
import type { Graph, Key, Task } from "@tessera/graph";

type SliceItem = { readonly start: number; readonly step: number; readonly count: number };

/** The slice views a merge (`assemble`) gathers from, when every input is one: [slice task, its block]. */
function pieces(t: Task, tasks: ReadonlyMap<Key, Task>): Task[] | undefined {
  if (t.op !== "assemble" || t.args.length < 2) return undefined;
  const ins = t.args.map((a) => tasks.get(a));
  return ins.every((s): s is Task => s !== undefined && s.op === "slice" && s.memory === 0 && s.args.length === 1) ? ins : undefined;
}

/** Rewrites the merges that would hold more than half of `limit` in old blocks; `dir()` makes the store's directory. */
export function spillRechunks(graph: Graph, limit: number, dir: () => string): Graph {
  const spill: { merge: Task; parts: Task[] }[] = [];
  for (const t of graph.tasks.values()) {
    const parts = pieces(t, graph.tasks);
    if (!parts) continue;
    const olds = new Set(parts.map((s) => s.args[0]!));
    let bytes = 0;
    for (const o of olds) bytes += graph.tasks.get(o)?.nbytes ?? 0;
    if (bytes > limit / 2) spill.push({ merge: t, parts });
  }
  if (spill.length === 0) return graph;
  const root = dir();
  const tasks = new Map(graph.tasks);
  let n = 0;
  for (const { merge, parts } of spill) {
    const files = parts.map((s) => {
      const file = `${root}/p${n++}`;
      // The slice (a piece of an old block) is written once its block is made; the block is then let go.
      const write: Task = { key: `${s.key}~spill`, op: "spill-write", args: s.args, attrs: { file, items: s.attrs["items"]! }, placement: "cpu", nbytes: 0, memory: s.nbytes };
      tasks.set(write.key, write);
      tasks.delete(s.key);
      return { write: write.key, file, stored: (s.attrs["items"] as readonly SliceItem[]).map((it) => it.count) };
    });
    // The merge reads its pieces back once all are written (it keeps its key: its consumers do not change).
    const mp = merge.attrs["pieces"] as readonly { arg: number; src: number[]; dst: number[]; shape: number[] }[];
    const pieceAttrs = mp.map((p) => ({ file: files[p.arg]!.file, stored: files[p.arg]!.stored, src: p.src, dst: p.dst, shape: p.shape }));
    tasks.set(merge.key, { ...merge, op: "spill-gather", args: files.map((f) => f.write), attrs: { shape: merge.attrs["shape"]!, dtype: merge.attrs["dtype"]!, pieces: pieceAttrs } });
  }
  return { tasks, constants: graph.constants, outputs: graph.outputs };
}
