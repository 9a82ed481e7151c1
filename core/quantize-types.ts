// Exact types of the addon's quantizer functions (native/addon/quantize.cpp), used by the
// converter (weights-convert/native-quantizer.ts). Type names are ggml's: f32, f16, q8_0, q5_0,
// q5_1, q4_0, q4_1, q6_K, q5_K, q4_K. All are synchronous; bad arguments throw E_INVALID_ARG.

export interface AddonQuantizePart {
  /** nRows rows of nPerRow floats -> nRows * quantRowSize(type, nPerRow) bytes (rows split over threads). */
  quantize(type: string, src: Float32Array, nRows: number, nPerRow: number): Buffer;
  /** The inverse: nRows rows of `type` -> nRows * nPerRow floats. */
  dequantize(type: string, src: Uint8Array, nRows: number, nPerRow: number): Float32Array;
  /** Bytes of one row; nPerRow must be a positive multiple of the block size. For the tests (native/addon/testing_hooks.cpp). */
  quantRowSize(type: string, nPerRow: number): number;
  /** For the tests (native/addon/testing_hooks.cpp). */
  quantTypeInfo(type: string): QuantTypeInfo;
}

export interface QuantTypeInfo {
  /** ggml_type enum value */
  ggmlType: number;
  /** elements per block (1 for f32/f16) */
  blockSize: number;
  /** bytes per block */
  typeSize: number;
}
