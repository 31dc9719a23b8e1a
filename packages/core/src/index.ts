/**
 * @tessera/core: dtypes and NumPy promotion, shapes and chunks, tiles, tokens and tagged errors.
 *
 * @example
 * ```ts
 * import { normalizeChunks, resultType } from "@tessera/core";
 * normalizeChunks(5, [12], "float32"); // [[5, 5, 2]]
 * resultType(["uint8", "int8"]);       // "int16"
 * ```
 */
export { TesseraError, isTesseraError, isErrorCode, show, type ErrorCode } from "./errors.js";
export {
  DTYPES,
  isDType,
  checkDType,
  kindOf,
  itemsize,
  dtypeRange,
  isFloat,
  isInteger,
  isBig,
  allocate,
  typedView,
  dtypeOfTypedArray,
  typedArrayMatches,
  promoteTypes,
  resultType,
  scalarKind,
  canCast,
  type DType,
  type DTypeKind,
  type TypedArray,
  type Scalar,
  type Casting,
} from "./dtype.js";
export { sizeOf, stridesOf, shapesEqual, broadcastShapes, checkShape, normalizeAxis, normalizeAxes, type Shape } from "./shape.js";
export {
  normalizeChunks,
  regularChunks,
  blockOffsets,
  numBlocks,
  commonBlocks,
  chunksEqual,
  blockShape,
  blockIndices,
  setAutoChunkBytes,
  autoChunkBytes,
  type Chunks,
  type ChunkSpec,
  type AxisChunkSpec,
  type NormalizeOptions,
} from "./chunks.js";
export { isTile, contiguousTile, emptyTile, isContiguous, isCompact, tileFromDense, tileFromUser, type Tile, type Dense, type BlockValue } from "./tile.js";
export { TilePool, TaskArena, sizeClass, bufferId, collectBuffers, freshAllocator, POOL_HEADER, type Allocator, type PoolStats, type TilePoolOptions } from "./pool.js";
export { tokenize, functionToken } from "./token.js";
export type { ChunkSource, ChunkSink, ModuleKernelRef, ReadContext } from "./source.js";
