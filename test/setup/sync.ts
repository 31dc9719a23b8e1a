// Runs the suite on the synchronous scheduler.
import { setDefaults } from "tessera";

setDefaults({ scheduler: "sync" });
