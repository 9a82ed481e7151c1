/** One stderr line of ffmpeg/ffprobe run with `-loglevel level+...`. */
export interface LogLine {
  /** "error", "warning", "info", "verbose"... ; undefined for continuation lines. */
  readonly level: string | undefined;
  /** The message without the "[demuxer @ 0x...]" context and the level tag. */
  readonly text: string;
}

// "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d0c8a2e5c0] [error] moov atom not found"
const PREFIXED = /^((?:\[[^\]]* @ (?:0x)?[0-9a-fA-F]+\] )*)(?:\[(trace|debug|verbose|info|warning|error|fatal|panic)\] )?(.*)$/;
const ERROR_LEVELS = new Set(['error', 'fatal', 'panic']);
const MAX_REASON_CHARS = 600;

export function parseLogLine(line: string): LogLine {
  const match = PREFIXED.exec(line);
  return { level: match?.[2], text: (match?.[3] ?? line).trim() };
}

/**
 * What went wrong, from the error-level lines of a failed run: context prefixes and the input
 * name removed, duplicates dropped, joined with "; " ("moov atom not found; Invalid data found
 * when processing input").
 */
export function failureReason(lines: readonly string[], inputArg: string): string {
  const reasons: string[] = [];
  for (const line of lines) {
    const { level, text } = parseLogLine(line);
    if (level === undefined || !ERROR_LEVELS.has(level)) continue;
    const reason = text.startsWith(`${inputArg}: `) ? text.slice(inputArg.length + 2) : text;
    if (reason !== '' && !reasons.includes(reason)) reasons.push(reason);
  }
  const joined = reasons.join('; ');
  return joined.length > MAX_REASON_CHARS ? `...${joined.slice(joined.length - MAX_REASON_CHARS)}` : joined;
}

/** "Input stream #0:0 (video): 100 packets read (94434 bytes); 100 frames decoded;" → 100. */
export function decodedFrameCount(text: string): number | undefined {
  const match = /^Input stream #\d+:\d+ \(video\):.*?(\d+) frames decoded/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** The pts of a frame the showinfo filter reports: "n:   0 pts:  20480 pts_time:1.6 ..." → 20480. */
export function showinfoPts(text: string): number | null | undefined {
  const match = /^n:\s*\d+\s+pts:\s*(-?\d+|NOPTS)\s/.exec(text);
  if (!match) return undefined;
  return match[1] === 'NOPTS' ? null : Number(match[1]);
}
