// Runs the suite on the thread scheduler with every CPU task sent to a worker (none inline), so the
// conformance suite checks what crosses threads: shared tiles, constants, partials, fused steps. Tile
// memory is pooled from the smallest tile up and poisoned when given back (checking mode), so a tile
// reused while a task, a worker or the user still holds it shows up as wrong values.
import { TilePool } from "@tessera/core";
import { cpuBackend } from "@tessera/backend-cpu";
import { threadScheduler, WorkerPool } from "@tessera/scheduler";
import { registerScheduler, setDefaults } from "tessera";

const checked = { minBytes: 0, poison: true };
const workers = new WorkerPool(cpuBackend.workerEntry!, 2, checked);
const tiles = new TilePool(checked);
registerScheduler("threads-checked", (o) =>
  threadScheduler({
    backend: cpuBackend,
    pool: workers,
    tilePool: tiles,
    ...(o.memoryLimit !== undefined ? { memoryLimit: o.memoryLimit } : {}),
    inlineBytes: o.inlineBytes ?? 0,
  }),
);
setDefaults({ scheduler: "threads-checked", workers: 2, inlineBytes: 0 });
