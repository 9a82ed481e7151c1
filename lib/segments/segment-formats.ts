// Segment captions as text: SubRip (.srt), WebVTT (.vtt), JSON lines or plain lines, written one
// segment at a time so that a long video's captions appear as they are made.
import type { SegmentCaption } from './caption-segments.js';

export type SegmentFormat = 'text' | 'jsonl' | 'srt' | 'vtt';
export const SEGMENT_FORMATS: readonly SegmentFormat[] = ['text', 'jsonl', 'srt', 'vtt'];

/** "01:02:03,456" (SubRip) or "01:02:03.456" (WebVTT, text): milliseconds, rounded. */
export function formatTimestamp(seconds: number, separator: ',' | '.'): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

/** What comes before the first segment (WebVTT's signature line). */
export function formatHeader(format: SegmentFormat): string {
  return format === 'vtt' ? 'WEBVTT\n\n' : '';
}

/** One segment in the format, ending with its line break(s). */
export function formatSegment(segment: SegmentCaption, format: SegmentFormat): string {
  // A cue's text ends at a blank line, so line breaks inside a caption are folded.
  const text = segment.text.replace(/\s*\n\s*/g, ' ');
  switch (format) {
    case 'jsonl':
      return `${JSON.stringify(segment)}\n`;
    case 'srt':
      return `${segment.index + 1}\n${formatTimestamp(segment.start, ',')} --> ${formatTimestamp(segment.end, ',')}\n${text}\n\n`;
    case 'vtt':
      return `${formatTimestamp(segment.start, '.')} --> ${formatTimestamp(segment.end, '.')}\n${text}\n\n`;
    case 'text':
      return `[${formatTimestamp(segment.start, '.')}-${formatTimestamp(segment.end, '.')}] ${text}\n`;
  }
}

/** The format a file name asks for (.srt, .vtt, .jsonl, .txt), if any. */
export function formatOfFileName(file: string): SegmentFormat | undefined {
  const ext = /\.([^./\\]+)$/.exec(file)?.[1]?.toLowerCase();
  if (ext === 'srt' || ext === 'vtt' || ext === 'jsonl') return ext;
  if (ext === 'txt') return 'text';
  return undefined;
}
