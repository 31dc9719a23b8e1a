/**
 * The elementwise catalog: each op's arity, its NumPy output-dtype rule, and its scalar expression
 * over JS numbers (`a`, `b`, `c`). Backends turn expressions into loops (CPU) or shaders (GPU); the dtype
 * rules here are the one place that decides result dtypes, checked against NumPy in the tests.
 */
import { TesseraError, isFloat, kindOf, promoteTypes, resultType, type DType, type Scalar } from "@tessera/core";

export type EwRule = "promote" | "divide" | "float" | "bool" | "same" | "where" | "int";

export interface EwDef {
  readonly arity: 1 | 2 | 3;
  readonly rule: EwRule;
  /** JS expression over `a`, `b`, `c` (numbers); `out` is the output dtype. Helpers: `H.name`. */
  readonly expr: (out: DType) => string;
  /** Input kinds the op refuses (NumPy raises a TypeError). */
  readonly refuse?: readonly ("b" | "f")[];
  /** NumPy has no bool loop for some ops: bool operands run as int8. */
  readonly boolAsInt8?: boolean;
}

const int32Mul = (out: DType): string => (out === "int32" || out === "uint32" ? "Math.imul(a, b)" : "a * b");
const isIntOut = (out: DType): boolean => kindOf(out) === "i" || kindOf(out) === "u";
const math = (fn: string): EwDef => ({ arity: 1, rule: "float", expr: () => `Math.${fn}(a)` });
const cmp = (op: string): EwDef => ({ arity: 2, rule: "bool", expr: () => `a ${op} b` });

export const EW = {
  add: { arity: 2, rule: "promote", expr: () => "a + b" },
  sub: { arity: 2, rule: "promote", expr: () => "a - b", refuse: ["b"] },
  mul: { arity: 2, rule: "promote", expr: int32Mul },
  div: { arity: 2, rule: "divide", expr: () => "a / b" },
  floorDivide: { arity: 2, rule: "promote", boolAsInt8: true, expr: (o) => (isIntOut(o) ? "(b === 0 ? 0 : Math.floor(a / b))" : "Math.floor(a / b)") },
  mod: { arity: 2, rule: "promote", boolAsInt8: true, expr: () => "H.mod(a, b)" },
  pow: { arity: 2, rule: "promote", boolAsInt8: true, expr: () => "Math.pow(a, b)" },
  minimum: { arity: 2, rule: "promote", expr: () => "((a < b || a !== a) ? a : b)" },
  maximum: { arity: 2, rule: "promote", expr: () => "((a > b || a !== a) ? a : b)" },
  arctan2: { arity: 2, rule: "float", expr: () => "Math.atan2(a, b)" },
  hypot: { arity: 2, rule: "float", expr: () => "Math.hypot(a, b)" },
  equal: cmp("==="),
  notEqual: cmp("!=="),
  less: cmp("<"),
  lessEqual: cmp("<="),
  greater: cmp(">"),
  greaterEqual: cmp(">="),
  logicalAnd: { arity: 2, rule: "bool", expr: () => "(a !== 0 && b !== 0)" },
  logicalOr: { arity: 2, rule: "bool", expr: () => "(a !== 0 || b !== 0)" },
  logicalXor: { arity: 2, rule: "bool", expr: () => "((a !== 0) !== (b !== 0))" },
  bitwiseAnd: { arity: 2, rule: "int", expr: () => "(a & b)", refuse: ["f"] },
  bitwiseOr: { arity: 2, rule: "int", expr: () => "(a | b)", refuse: ["f"] },
  bitwiseXor: { arity: 2, rule: "int", expr: () => "(a ^ b)", refuse: ["f"] },
  logicalNot: { arity: 1, rule: "bool", expr: () => "a === 0" },
  neg: { arity: 1, rule: "same", expr: () => "-a", refuse: ["b"] },
  abs: { arity: 1, rule: "same", expr: () => "Math.abs(a)" },
  square: { arity: 1, rule: "same", boolAsInt8: true, expr: (o) => (o === "int32" || o === "uint32" ? "Math.imul(a, a)" : "a * a") },
  sign: { arity: 1, rule: "same", refuse: ["b"], expr: () => "(a > 0 ? 1 : a < 0 ? -1 : a)" },
  sqrt: math("sqrt"),
  exp: math("exp"),
  expm1: math("expm1"),
  log: math("log"),
  log1p: math("log1p"),
  log2: math("log2"),
  log10: math("log10"),
  sin: math("sin"),
  cos: math("cos"),
  tan: math("tan"),
  arcsin: math("asin"),
  arccos: math("acos"),
  arctan: math("atan"),
  sinh: math("sinh"),
  cosh: math("cosh"),
  tanh: math("tanh"),
  arcsinh: math("asinh"),
  arccosh: math("acosh"),
  arctanh: math("atanh"),
  floor: math("floor"),
  ceil: math("ceil"),
  trunc: math("trunc"),
  rint: { arity: 1, rule: "float", expr: () => "H.rint(a)" },
  /** round(x, decimals): `b` is the decimals scalar; ints with decimals >= 0 are unchanged. */
  round: { arity: 2, rule: "same", expr: (o) => (isFloat(o) ? "H.round(a, b)" : "(b >= 0 ? a : H.round(a, b))") },
  isnan: { arity: 1, rule: "bool", expr: () => "a !== a" },
  isinf: { arity: 1, rule: "bool", expr: () => "(a === Infinity || a === -Infinity)" },
  isfinite: { arity: 1, rule: "bool", expr: () => "Number.isFinite(a)" },
  where: { arity: 3, rule: "where", expr: () => "(a !== 0 ? b : c)" },
  cast: { arity: 1, rule: "same", expr: () => "a" },
} as const satisfies Record<string, EwDef>;

export type EwOp = keyof typeof EW;

export function isEwOp(op: string): op is EwOp {
  return Object.prototype.hasOwnProperty.call(EW, op);
}

/** The smallest float NumPy's unary float ufuncs give for an input dtype (float16 read as float32). */
export function floatFor(d: DType): DType {
  if (isFloat(d)) return d;
  return d === "int32" || d === "uint32" || d === "int64" || d === "uint64" ? "float64" : "float32";
}

/**
 * The output dtype of `op` over operands of the given dtypes (arrays) and scalars, by NumPy's rules.
 * `round`'s decimals and `where`'s condition do not take part in promotion.
 */
export function ewResultType(op: EwOp, dtypes: readonly (DType | Scalar)[], argument = op): DType {
  const def: EwDef = EW[op];
  const operands = op === "where" ? dtypes.slice(1) : op === "round" ? dtypes.slice(0, 1) : dtypes;
  const arrays = operands.filter((d): d is DType => typeof d === "string");
  const scalars = operands.filter((d): d is Scalar => typeof d !== "string");
  const base = arrays.length || scalars.length ? resultType(arrays, scalars, argument) : "float64";
  // NumPy has no loop for these ops at the promoted kind (bool - bool, bitwise on floats): a TypeError.
  const k = kindOf(base);
  if (def.refuse?.some((r) => r === k)) {
    throw new TesseraError("DTypeError", `${argument}: not supported for ${arrays.join(" and ") || "these"} operands (they promote to ${base}; NumPy refuses it too); cast first, e.g. x.astype("${k === "b" ? "int8" : "int32"}")`);
  }
  switch (def.rule) {
    case "bool":
      return "bool";
    case "divide":
      return isFloat(base) ? base : "float64";
    case "float":
      // NumPy picks the first float loop every input casts to safely: the widest floatFor of the inputs.
      if (arrays.length === 0 || (isFloat(base) && !arrays.some(isFloat))) return floatFor(base);
      return arrays.map(floatFor).reduce(promoteTypes);
    case "int":
    case "promote":
    case "same":
      return base === "bool" && def.boolAsInt8 ? "int8" : base;
    case "where":
      return base;
  }
}
