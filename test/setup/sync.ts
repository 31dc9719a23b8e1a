// Runs the suite on the synchronous scheduler, with tile memory pooled from the smallest tile up and
// poisoned when given back (checking mode: a tile reused while still held shows up as wrong values).
import { TilePool } from "@tessera/core";
import { cpuBackend } from "@tessera/backend-cpu";
import { syncScheduler } from "@tessera/scheduler";
import { registerScheduler, setDefaults } from "tessera";

const tiles = new TilePool({ minBytes: 0, poison: true });
registerScheduler("sync-checked", () => syncScheduler(cpuBackend, { pool: tiles }));
setDefaults({ scheduler: "sync-checked" });
