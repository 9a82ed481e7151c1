import { GitcapError } from '../../core/errors.js';
import type { RgbFrame } from './rgb-frame.js';

const MAX_HEADER_BYTES = 64;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Splits ffmpeg's `-f image2pipe -c:v ppm -pix_fmt rgb24` output into frames. Each binary PPM
 * (P6) frame is a short text header ("P6\n320 240\n255\n") followed by exactly the rgb24 bytes
 * `-f rawvideo -pix_fmt rgb24` would give; the header makes every frame's size explicit.
 */
export class PpmStreamReader {
  readonly frames: RgbFrame[] = [];
  private header: number[] = [];
  private current: { data: Uint8Array; width: number; height: number; filled: number } | undefined;

  constructor(
    private readonly maxFrames: number,
    private readonly maxPixels: number,
  ) {}

  push(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.current === undefined) offset = this.readHeader(chunk, offset);
      else offset = this.readPixels(chunk, offset);
    }
  }

  /** Throws when the stream stopped inside a frame. */
  finish(): void {
    if (this.current !== undefined || this.header.length > 0) {
      throw new GitcapError('E_FFMPEG', 'ffmpeg output ended in the middle of a frame');
    }
  }

  private readHeader(chunk: Uint8Array, offset: number): number {
    while (offset < chunk.length) {
      const byte = chunk[offset++]!;
      this.header.push(byte);
      if (isSpace(byte) && this.headerComplete()) return offset;
      if (this.header.length > MAX_HEADER_BYTES) throw malformed();
    }
    return offset;
  }

  // Complete once "P6 W H MAXVAL" and the single whitespace byte after MAXVAL have been read.
  private headerComplete(): boolean {
    const fields = Buffer.from(this.header).toString('latin1').split(/[ \t\r\n]+/);
    if (fields.length < 5) return false;
    const [magic, width, height, maxval] = fields;
    const size = [width, height].map(Number) as [number, number];
    if (magic !== 'P6' || maxval !== '255' || !size.every((n) => Number.isInteger(n) && n > 0)) throw malformed();
    if (this.frames.length >= this.maxFrames) {
      throw new GitcapError('E_FFMPEG', `ffmpeg returned more than the ${this.maxFrames} frames requested`);
    }
    if (size[0] * size[1] > this.maxPixels) {
      throw new GitcapError('E_FFMPEG', `ffmpeg returned a ${size[0]}x${size[1]} frame, more than maxPixels (${this.maxPixels})`);
    }
    this.current = { data: new Uint8Array(size[0] * size[1] * 3), width: size[0], height: size[1], filled: 0 };
    this.header = [];
    return true;
  }

  private readPixels(chunk: Uint8Array, offset: number): number {
    const frame = this.current!;
    const take = Math.min(frame.data.length - frame.filled, chunk.length - offset);
    frame.data.set(chunk.subarray(offset, offset + take), frame.filled);
    frame.filled += take;
    if (frame.filled === frame.data.length) {
      this.frames.push({ data: frame.data, width: frame.width, height: frame.height, channels: 3 });
      this.current = undefined;
    }
    return offset + take;
  }
}

function malformed(): GitcapError {
  return new GitcapError('E_FFMPEG', 'ffmpeg returned a frame header that is not binary PPM (P6, maxval 255)');
}
