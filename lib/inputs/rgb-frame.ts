/** One decoded frame: 8-bit RGB, rows top to bottom, pixels interleaved (HWC, like rgb24). */
export interface RgbFrame {
  /** width * height * 3 bytes. */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
}
