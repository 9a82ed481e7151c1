import type { FrameTimeline } from './video-timeline.js';

/**
 * How frames are decoded:
 * - `select`: one ffmpeg run from the start, the select filter keeps the wanted frames (every
 *   frame up to the last wanted one is decoded);
 * - `seek`: a new run seeks (`-ss`) to every wanted frame that lies after a keyframe following
 *   the previous wanted frame, so only the frames from that keyframe on are decoded;
 * - `auto` (default): seeks where the frames it saves cost more than starting another ffmpeg.
 */
export type DecodeMethod = 'auto' | 'select' | 'seek';

/** One ffmpeg run. */
export interface DecodeRun {
  /** The frame to seek to before decoding; null: decode from the first frame. */
  readonly seekTo: number | null;
  /** Frames this run outputs, ascending, none before `seekTo`. */
  readonly frames: readonly number[];
}

// Starting ffmpeg costs ~75 ms, about what decoding 2e7 pixels (~300 Mpx/s on one core) costs.
export const SPAWN_COST_PIXELS = 2e7;

/** Groups the wanted frames (ascending, distinct) into runs; seeks only in indexed containers. */
export function planDecodeRuns(
  targets: readonly number[],
  timeline: FrameTimeline,
  framePixels: number,
  method: DecodeMethod,
  indexedSeek: boolean,
): DecodeRun[] {
  const seekable = indexedSeek && timeline.pts !== null && timeline.keyframes.length > 0;
  if (method === 'select' || !seekable || targets.length === 0) return [{ seekTo: null, frames: [...targets] }];
  const runs: { seekTo: number | null; frames: number[] }[] = [];
  let previous = -1;
  for (const target of targets) {
    const key = keyframeAtOrBefore(timeline.keyframes, target);
    const current = runs[runs.length - 1];
    if (current === undefined) {
      // Without a keyframe after frame 0 a seek would decode from the start anyway.
      runs.push({ seekTo: key > 0 ? target : null, frames: [target] });
    } else {
      const continueCost = (target - previous) * framePixels;
      const seekCost = SPAWN_COST_PIXELS + (target - key + 1) * framePixels;
      const seekHelps = key > previous && (method === 'seek' || seekCost < continueCost);
      if (seekHelps) runs.push({ seekTo: target, frames: [target] });
      else current.frames.push(target);
    }
    previous = target;
  }
  return runs;
}

function keyframeAtOrBefore(keyframes: readonly number[], frame: number): number {
  let found = -1;
  for (const key of keyframes) {
    if (key > frame) break;
    found = key;
  }
  return found;
}
