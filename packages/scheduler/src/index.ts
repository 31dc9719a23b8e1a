/**
 * @tessera/scheduler: schedulers that run lowered task graphs on a backend, with typed events for every
 * task. `syncScheduler` runs everything in order on the main thread (tests, debugging).
 *
 * @example
 * ```ts
 * import { syncScheduler } from "@tessera/scheduler";
 * import { cpuBackend } from "@tessera/backend-cpu";
 * const scheduler = syncScheduler(cpuBackend);
 * // await scheduler.run(graph, { onEvent: (e) => console.log(e.type) });
 * ```
 */
export { syncScheduler, taskError, abortError } from "./sync.js";
export { threadScheduler, type ThreadScheduler, type ThreadSchedulerOptions } from "./threads.js";
export { WorkerPool } from "./pool.js";
export { defaultMemoryLimit, refuseOversized, formatBytes } from "./memory.js";
export { profile, type Profile, type ProfileSummary, type OpProfile } from "./profile.js";
export { progressBar, type ProgressOptions } from "./progress.js";
