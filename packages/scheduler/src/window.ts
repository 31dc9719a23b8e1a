/**
 * A streaming consumer's window over a run's outputs (`RunOptions.outputWindow`): outputs are consumed in the
 * order of `graph.outputs`, and only tasks whose first output (the first, in that order, that needs them) lies
 * within `size` outputs of the last one consumed may start. `blocks()` uses it to hold a bounded number of blocks
 * ahead of a slow consumer.
 */
import { firstOutputs, type Graph, type Key } from "@tessera/graph";

export class OutputWindow {
  private first: Map<Key, number> | undefined;
  private readonly consumed = new Set<number>();
  /** Outputs consumed in order so far: the window runs from here. */
  private prefix = 0;

  constructor(
    private readonly graph: Graph,
    private readonly size: number,
  ) {}

  /** True when task `k` serves only outputs past the window (it must wait). */
  outside(k: Key): boolean {
    this.first ??= firstOutputs(this.graph);
    return (this.first.get(k) ?? 0) >= this.prefix + this.size;
  }

  /** Output `key` was consumed: the window moves on past every output consumed in order. */
  consume(key: Key): void {
    this.consumed.add(this.graph.outputs.indexOf(key));
    while (this.consumed.has(this.prefix)) this.prefix++;
  }
}
