/**
 * A profile of computes, built on the scheduler's events: time and bytes per op, where tasks ran, peak
 * bytes held, evictions. `const p = profile(); await x.compute({ onEvent: p.listener }); console.log(p.report())`.
 */
import type { EventListener, SchedulerEvent } from "@tessera/graph";
import { formatBytes } from "./memory.js";

export interface OpProfile {
  readonly op: string;
  readonly tasks: number;
  readonly ms: number;
  readonly bytes: number;
}

export interface ProfileSummary {
  readonly tasks: number;
  readonly wallMs: number;
  /** Sum of task times (exceeds wall time when tasks run in parallel). */
  readonly taskMs: number;
  readonly bytesProduced: number;
  readonly peakHeldBytes: number;
  readonly evictions: number;
  readonly byOp: readonly OpProfile[];
  readonly byBackend: Readonly<Record<string, number>>;
}

export interface Profile {
  readonly listener: EventListener;
  summary(): ProfileSummary;
  report(): string;
  toJSON(): ProfileSummary;
}

export function profile(): Profile {
  const ops = new Map<string, { tasks: number; ms: number; bytes: number }>();
  const backends: Record<string, number> = {};
  let tasks = 0;
  let wallMs = 0;
  let taskMs = 0;
  let bytes = 0;
  let peak = 0;
  let evictions = 0;
  const listener = (e: SchedulerEvent): void => {
    if (e.type === "task-end") {
      tasks++;
      taskMs += e.ms;
      bytes += e.nbytes;
      peak = Math.max(peak, e.held ?? 0);
      backends[e.backend] = (backends[e.backend] ?? 0) + 1;
      const o = ops.get(e.op) ?? { tasks: 0, ms: 0, bytes: 0 };
      o.tasks++;
      o.ms += e.ms;
      o.bytes += e.nbytes;
      ops.set(e.op, o);
    } else if (e.type === "compute-end") wallMs += e.ms;
    else if (e.type === "evict") evictions++;
  };
  const summary = (): ProfileSummary => ({
    tasks,
    wallMs,
    taskMs,
    bytesProduced: bytes,
    peakHeldBytes: peak,
    evictions,
    byOp: [...ops].map(([op, o]) => ({ op, ...o })).sort((a, b) => b.ms - a.ms),
    byBackend: { ...backends },
  });
  const report = (): string => {
    const s = summary();
    const lines = [
      `${s.tasks} tasks in ${(s.wallMs / 1000).toFixed(2)} s wall (${(s.taskMs / 1000).toFixed(2)} s of task time), ${formatBytes(s.bytesProduced)} produced, peak held ${formatBytes(s.peakHeldBytes)}, ${s.evictions} evictions`,
      `where: ${Object.entries(s.byBackend).map(([b, n]) => `${b} ${n}`).join(", ")}`,
      "op                     tasks      time      bytes",
      ...s.byOp.map((o) => `${o.op.padEnd(20)} ${String(o.tasks).padStart(7)} ${`${(o.ms / 1000).toFixed(3)} s`.padStart(9)} ${formatBytes(o.bytes).padStart(10)}`),
    ];
    return lines.join("\n");
  };
  return { listener, summary, report, toJSON: summary };
}
