/**
 * A terminal progress bar built on the scheduler's events (cli-progress). It appears only once a compute
 * has run for `delayMs`, so quick computes print nothing.
 */
import cliProgress from "cli-progress";
import type { EventListener, SchedulerEvent } from "@tessera/graph";

export interface ProgressOptions {
  /** Where to draw (default process.stderr). */
  readonly stream?: NodeJS.WritableStream;
  /** Show the bar only after this long (default 1000 ms). */
  readonly delayMs?: number;
}

export function progressBar(options: ProgressOptions = {}): EventListener {
  const delay = options.delayMs ?? 1000;
  let bar: cliProgress.SingleBar | undefined;
  let total = 0;
  let done = 0;
  let started = 0;
  return (e: SchedulerEvent): void => {
    if (e.type === "compute-start") {
      total = e.tasks;
      done = 0;
      started = performance.now();
    } else if (e.type === "task-end") {
      done++;
      if (!bar && performance.now() - started >= delay) {
        bar = new cliProgress.SingleBar(
          { stream: options.stream ?? process.stderr, format: "tessera [{bar}] {percentage}% | {value}/{total} tasks | {duration_formatted}", hideCursor: true, clearOnComplete: false },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
      }
      bar?.update(done);
    } else if (e.type === "compute-end" && bar) {
      bar.update(total);
      bar.stop();
      bar = undefined;
    }
  };
}
