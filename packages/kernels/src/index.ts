/**
 * @tessera/kernels: the op table (`OPS`), the elementwise catalog with NumPy's dtype rules (`EW`,
 * `ewResultType`) and the backend interface that every backend implements.
 *
 * @example
 * ```ts
 * import { ewResultType } from "@tessera/kernels";
 * ewResultType("div", ["int32", "int32"]); // "float64"
 * ewResultType("add", ["uint8", 3]);       // "uint8" (weak scalar)
 * ```
 */
export { OPS, opDef, type OpDef, type OpName } from "./ops.js";
export { EW, isEwOp, floatFor, ewResultType, type EwDef, type EwOp, type EwRule } from "./elementwise.js";
export type { Backend, Kernel, KernelContext, WorkerRequest, WorkerReply } from "./backend.js";
