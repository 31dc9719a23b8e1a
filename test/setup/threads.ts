// Runs the suite on the thread scheduler with every CPU task sent to a worker (none inline), so the
// conformance suite checks what crosses threads: shared tiles, constants, partials, fused steps.
import { setDefaults } from "tessera";

setDefaults({ scheduler: "threads", workers: 2, inlineBytes: 0 });
