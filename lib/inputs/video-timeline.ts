/** A rational number as ffprobe prints it ("1/12800", "30000/1001"). */
export interface Rational {
  readonly num: number;
  readonly den: number;
}

/** The frames of a video stream in presentation order, i.e. the order ffmpeg outputs them. */
export interface FrameTimeline {
  readonly count: number;
  /** Each frame's pts in the stream time base; null when the container does not give them. */
  readonly pts: readonly number[] | null;
  /** Each frame's time in seconds from the first frame. */
  readonly times: readonly number[];
  /** Presentation indices of the keyframes, ascending (empty when unknown). */
  readonly keyframes: readonly number[];
  /** Seconds from the first frame to the end of the last one. */
  readonly duration: number;
  /**
   * Per frame, whether its place in the decode order says later frames may predict from it (see
   * referenceHints); null when the decode order is unknown. Only a hint for skipping work: a read
   * that skips the other frames checks that it got every frame it wanted.
   */
  readonly likelyReference: readonly boolean[] | null;
}

/** The fields of one ffprobe `packet` entry this module reads. */
export interface ProbedPacket {
  readonly pts?: number;
  readonly duration?: number;
  readonly flags?: string;
}

export interface StreamTiming {
  readonly timeBase: Rational;
  /** Average frame rate, when known; used when packets carry no pts. */
  readonly fps: number | undefined;
  /** The stream's duration in seconds, when known. */
  readonly duration: number | undefined;
}

export function parseRational(text: string | undefined): Rational | undefined {
  const match = /^(-?\d+)\/(\d+)$/.exec(text ?? '');
  if (!match) return undefined;
  const value = { num: Number(match[1]), den: Number(match[2]) };
  return value.num > 0 && value.den > 0 ? value : undefined;
}

/**
 * One frame per packet, sorted by pts (presentation order). Packets flagged "D" (decoded only to
 * prime the decoder, e.g. before an edit list start) yield no frame and are left out.
 */
export function timelineFromPackets(packets: readonly ProbedPacket[], timing: StreamTiming): FrameTimeline {
  const shown = packets.filter((packet) => !(packet.flags ?? '').includes('D'));
  if (!shown.every((packet) => Number.isFinite(packet.pts))) return timelineWithoutPts(shown.length, timing);
  const order = shown.map((packet, position) => ({ packet, position }));
  order.sort((a, b) => a.packet.pts! - b.packet.pts! || a.position - b.position);
  const pts = order.map(({ packet }) => packet.pts!);
  const keyframes = order.flatMap(({ packet }, index) => ((packet.flags ?? '').includes('K') ? [index] : []));
  const last = order[order.length - 1]?.packet;
  const lastDuration = last?.duration !== undefined && last.duration > 0 ? last.duration : undefined;
  const hints = referenceHints(shown.map((packet) => packet.pts!));
  const likelyReference = order.map(({ position }) => hints[position]!);
  return { ...timelineFromPts(pts, keyframes, timing, lastDuration), likelyReference };
}

/**
 * For packets in decode order, whether each one is likely a reference frame. A frame shown after
 * every frame decoded before it (I, P) is; one shown earlier (a B-frame) is only when the next
 * decoded frame is shown before it again, as a pyramid's middle B-frame is followed by the
 * B-frames that predict from it. On x264, x265 and MPEG-4 streams this never called a frame that
 * the decoder skips a reference frame; it calls a few referenced B-frames unreferenced, which only
 * costs a read the skipping.
 */
export function referenceHints(decodeOrderPts: readonly number[]): boolean[] {
  let latestShown = -Infinity;
  return decodeOrderPts.map((pts, position) => {
    const isBFrame = pts < latestShown;
    latestShown = Math.max(latestShown, pts);
    const next = decodeOrderPts[position + 1];
    return !isBFrame || (next !== undefined && next < pts);
  });
}

/** Frames as the decoder produced them (ffprobe -show_frames), pts null where unknown. */
export function timelineFromDecodedFrames(pts: readonly (number | null)[], timing: StreamTiming): FrameTimeline {
  if (!pts.every((value) => value !== null)) return timelineWithoutPts(pts.length, timing);
  return timelineFromPts(pts as number[], [], timing, undefined);
}

function timelineFromPts(
  pts: readonly number[],
  keyframes: readonly number[],
  timing: StreamTiming,
  lastDuration: number | undefined,
): FrameTimeline {
  const { num, den } = timing.timeBase;
  const first = pts[0] ?? 0;
  const times = pts.map((value) => ((value - first) * num) / den);
  const lastTime = times[times.length - 1] ?? 0;
  const duration =
    lastDuration !== undefined
      ? lastTime + (lastDuration * num) / den
      : timing.fps !== undefined
        ? lastTime + 1 / timing.fps
        : Math.max(lastTime, timing.duration ?? 0);
  return { count: pts.length, pts, times, keyframes, duration, likelyReference: null };
}

function timelineWithoutPts(count: number, timing: StreamTiming): FrameTimeline {
  const fps = timing.fps ?? (timing.duration ? count / timing.duration : 1);
  const times = Array.from({ length: count }, (_, index) => index / fps);
  return { count, pts: null, times, keyframes: [], duration: timing.duration ?? count / fps, likelyReference: null };
}
