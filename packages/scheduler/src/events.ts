/** Typed events for every task: progress bars, profiles and benchmarks all listen to these. */
import type { Key, Placement } from "@tessera/graph";

export interface TaskStartEvent {
  readonly type: "task-start";
  readonly key: Key;
  readonly op: string;
  readonly placement: Placement;
  readonly nbytes: number;
}

export interface TaskEndEvent {
  readonly type: "task-end";
  readonly key: Key;
  readonly op: string;
  readonly placement: Placement;
  readonly nbytes: number;
  readonly backend: string;
  readonly ms: number;
}

export interface ComputeStartEvent {
  readonly type: "compute-start";
  readonly tasks: number;
}

export interface ComputeEndEvent {
  readonly type: "compute-end";
  readonly tasks: number;
  readonly ms: number;
}

export type SchedulerEvent = TaskStartEvent | TaskEndEvent | ComputeStartEvent | ComputeEndEvent;
export type EventListener = (e: SchedulerEvent) => void;
