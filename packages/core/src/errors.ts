/**
 * Tagged errors. Every error Tessera raises on bad input is a `TesseraError` whose `code` names the
 * kind of mistake; `isTesseraError(e, "ShapeMismatch")` is the type guard users branch on. Messages name
 * the argument, the value that was given, and what would be valid.
 */
export type ErrorCode =
  | "ShapeMismatch"
  | "AxisError"
  | "ChunkSpecError"
  | "DTypeError"
  | "CastingError"
  | "OverflowError"
  | "ReshapeError"
  | "IndexError"
  | "DelayedMismatch"
  | "ValueError"
  | "NotConfigured"
  | "TaskError"
  | "MemoryLimit"
  | "AbortError";

const CODES: ReadonlySet<string> = new Set<ErrorCode>(["ShapeMismatch", "AxisError", "ChunkSpecError", "DTypeError", "CastingError", "OverflowError", "ReshapeError", "IndexError", "DelayedMismatch", "ValueError", "NotConfigured", "TaskError", "MemoryLimit", "AbortError"]);

/** True when `code` names a kind of TesseraError (an error that crossed threads keeps only its code). */
export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === "string" && CODES.has(code);

export class TesseraError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = `TesseraError[${code}]`;
  }
}

/** True when `e` is a TesseraError (of the given code, when one is named). */
export function isTesseraError(e: unknown, code?: ErrorCode): e is TesseraError {
  return e instanceof TesseraError && (code === undefined || e.code === code);
}

/** Formats a value for an error message: short, unambiguous, never throws. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return String(value); // NaN and infinities as themselves (JSON would say null)
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as { length?: number }).length ?? "?"})`;
  try {
    const s = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
    if (s === undefined) return String(value);
    return s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return String(value);
  }
}
