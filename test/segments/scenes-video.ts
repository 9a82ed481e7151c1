// The test video of the segment tests: 24 s at 25 fps, four different 6-s scenes (ffmpeg lavfi).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FfmpegTools } from '../../lib/inputs/ffmpeg.js';

const execFileAsync = promisify(execFile);

export const SCENE_SECONDS = 6;

/** Writes the video (160x120, H.264, a keyframe every 2 s) into `dir`; about a second to encode. */
export async function makeScenesVideo(tools: FfmpegTools, dir: string): Promise<string> {
  const out = path.join(dir, 'scenes.mp4');
  const size = 's=160x120:r=25';
  const scene = (source: string) => ['-f', 'lavfi', '-i', `${source},trim=duration=${SCENE_SECONDS}`];
  await execFileAsync(
    tools.ffmpeg,
    [
      '-nostdin', '-v', 'error', '-y',
      ...scene(`testsrc2=${size}`),
      ...scene(`smptebars=${size}`),
      ...scene(`mandelbrot=${size}`),
      ...scene(`life=${size}:mold=10:ratio=0.1:death_color=#C83232:life_color=#00ff00`),
      '-filter_complex', '[0:v][1:v][2:v][3:v]concat=n=4:v=1:a=0,format=yuv420p',
      '-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', out,
    ],
    { timeout: 60_000 },
  );
  return out;
}

/** Extracts these frames (presentation indices, ascending, distinct) as PNG files. */
export async function extractPngFrames(tools: FfmpegTools, video: string, indices: number[], dir: string): Promise<string[]> {
  const select = indices.map((i) => `eq(n\\,${i})`).join('+');
  const pattern = path.join(dir, `frame-${indices[0]}-%02d.png`);
  await execFileAsync(
    tools.ffmpeg,
    ['-nostdin', '-v', 'error', '-y', '-i', video, '-vf', `select=${select}`, '-fps_mode', 'passthrough', pattern],
    { timeout: 60_000 },
  );
  return indices.map((_, k) => path.join(dir, `frame-${indices[0]}-${String(k + 1).padStart(2, '0')}.png`));
}

/** The cues of a SubRip or WebVTT file as ffmpeg's own parser reads them. */
export async function cuesByFfmpeg(tools: FfmpegTools, file: string): Promise<{ start: number; end: number; text: string }[]> {
  const { stdout } = await execFileAsync(
    tools.ffprobe,
    ['-v', 'error', '-of', 'json', '-show_entries', 'packet=pts_time,duration_time,data', '-show_data', file],
    { timeout: 60_000 },
  );
  const packets = (JSON.parse(stdout) as { packets: { pts_time: string; duration_time: string; data: string }[] }).packets;
  return packets.map((p) => ({
    start: Number(p.pts_time),
    end: Number(p.pts_time) + Number(p.duration_time),
    // ffprobe's hex dump: "00000000: 7761 7463 ...  watc..."; the hex columns are 10..50
    text: Buffer.from(p.data.split('\n').map((line) => line.slice(10, 50).replace(/\s/g, '')).join(''), 'hex').toString('utf8'),
  }));
}
