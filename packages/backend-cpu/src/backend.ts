/** The CPU backend: every op of the op table on typed arrays. It is the specification other backends match. */
import type { Backend, Kernel, OpName } from "@tessera/kernels";
import { assembleKernel, takeKernel } from "./kernels/assemble.js";
import { callKernel, callModuleKernel, moduleKernel } from "./kernels/call.js";
import { arangeKernel, constKernel, eyeKernel, fillKernel, linspaceKernel, randomKernel, tileKernel } from "./kernels/creation.js";
import { cumApplyKernel, cumBlockKernel, cumCarryKernel } from "./kernels/cumulative.js";
import { ewKernel } from "./kernels/elementwise.js";
import { makeFusedKernel } from "./kernels/fused.js";
import { sinkPutKernel, sinkWriteKernel, sourceFetchKernel, sourceReadKernel } from "./kernels/io.js";
import { freshCopy, toShared } from "./share.js";
import { pickKernel, reduceAggregateKernel, reduceChunkKernel, reduceCombineKernel, reduceMultiKernel } from "./kernels/reduce.js";
import { spillGatherKernel, spillWriteKernel } from "./kernels/spill.js";
import { broadcastKernel, identityKernel, reshapeKernel, sliceKernel, transposeKernel } from "./kernels/views.js";

const table: Record<Exclude<OpName, "fused">, Kernel> = {
  const: constKernel,
  tile: tileKernel,
  fill: fillKernel,
  arange: arangeKernel,
  linspace: linspaceKernel,
  eye: eyeKernel,
  random: randomKernel,
  ew: ewKernel,
  slice: sliceKernel,
  transpose: transposeKernel,
  reshape: reshapeKernel,
  broadcast: broadcastKernel,
  assemble: assembleKernel,
  take: takeKernel,
  "reduce-chunk": reduceChunkKernel,
  "reduce-multi": reduceMultiKernel,
  pick: pickKernel,
  "reduce-combine": reduceCombineKernel,
  "reduce-aggregate": reduceAggregateKernel,
  "cum-block": cumBlockKernel,
  "cum-carry": cumCarryKernel,
  "cum-apply": cumApplyKernel,
  call: callKernel,
  "call-module": callModuleKernel,
  "module-kernel": moduleKernel,
  "source-fetch": sourceFetchKernel,
  "sink-put": sinkPutKernel,
  "source-read": sourceReadKernel,
  "sink-write": sinkWriteKernel,
  identity: identityKernel,
  "spill-write": spillWriteKernel,
  "spill-gather": spillGatherKernel,
};

const kernels = new Map<string, Kernel>(Object.entries(table));
kernels.set("fused", makeFusedKernel((op) => kernels.get(op)));

export const cpuBackend: Backend = {
  name: "cpu",
  kernel: (op) => kernels.get(op),
  // dist/worker.js from both src/ (tests) and dist/ (runtime): both sit one level below the package root.
  workerEntry: new URL("../dist/worker.js", import.meta.url).href,
  share: toShared,
  copy: freshCopy,
};
