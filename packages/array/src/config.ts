/**
 * Runtime configuration: which scheduler runs `compute()` and its defaults. The umbrella package
 * `tessera` registers the schedulers it ships; `@tessera/array` itself never imports one.
 */
import { TesseraError, show } from "@tessera/core";
import type { EventListener, Scheduler } from "@tessera/graph";

export interface ComputeOptions {
  /** A registered scheduler name ("sync", "threads", ...) or a scheduler object. */
  readonly scheduler?: string | Scheduler;
  readonly signal?: AbortSignal;
  /** Receives every scheduler event (task-start, task-end, compute-start, compute-end). */
  readonly onEvent?: EventListener;
  /** Fuse blockwise chains before running (default true). */
  readonly optimize?: boolean;
  /** Worker threads of the "threads" scheduler (default: available parallelism; 0: main thread only). */
  readonly workers?: number;
  /** Bytes of results held plus in flight that a compute stays under (default: half the machine's memory). */
  readonly memoryLimit?: number;
  /** CPU tasks that need less memory than this to run go inline on the main thread (default 64 KiB). */
  readonly inlineBytes?: number;
  /** Show a progress bar on stderr (default: when stderr is a terminal and the compute runs over 1 s). */
  readonly progress?: boolean;
}

export type SchedulerFactory = (options: ComputeOptions) => Scheduler;

const factories = new Map<string, SchedulerFactory>();
let defaults: ComputeOptions = { scheduler: "sync" };

/** Makes a scheduler available by name to `compute({ scheduler: name })`. */
export function registerScheduler(name: string, factory: SchedulerFactory): void {
  factories.set(name, factory);
}

/**
 * Refuses compute options that cannot mean anything, before any work: a memory limit must be a positive, finite
 * number of bytes; workers a whole number (0: main thread only); inlineBytes a non-negative number.
 */
export function checkComputeOptions(o: ComputeOptions, where = "compute"): void {
  const m = o.memoryLimit;
  if (m !== undefined && !(typeof m === "number" && Number.isFinite(m) && m > 0)) {
    throw new TesseraError("ValueError", `${where}(memoryLimit): ${show(m)} is not a positive, finite number of bytes; give e.g. 2 * 2 ** 30 for 2 GiB, or leave it out for half the machine's memory`);
  }
  const w = o.workers;
  if (w !== undefined && !(typeof w === "number" && Number.isInteger(w) && w >= 0)) {
    throw new TesseraError("ValueError", `${where}(workers): ${show(w)} is not a whole number of worker threads; give 0 (main thread only) or more, or leave it out for one per core`);
  }
  const b = o.inlineBytes;
  if (b !== undefined && !(typeof b === "number" && b >= 0 && !Number.isNaN(b))) {
    throw new TesseraError("ValueError", `${where}(inlineBytes): ${show(b)} must be a non-negative number of bytes`);
  }
}

/** Sets default compute options once for the process (merged into every compute call). */
export function setDefaults(options: ComputeOptions): void {
  checkComputeOptions(options, "setDefaults");
  defaults = { ...defaults, ...options };
}

export const getDefaults = (): ComputeOptions => defaults;

export function resolveScheduler(options: ComputeOptions): Scheduler {
  const s = options.scheduler ?? defaults.scheduler ?? "sync";
  if (typeof s !== "string") return s;
  const f = factories.get(s);
  if (!f) {
    throw new TesseraError(
      "NotConfigured",
      `scheduler: ${show(s)} is not registered${factories.size ? `; registered: ${[...factories.keys()].join(", ")}` : "; import from \"tessera\" (which registers its schedulers) or call registerScheduler()"}`,
    );
  }
  return f(options);
}
