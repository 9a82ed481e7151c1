// Which files gitcap reads as videos and which as images, by their extension.
import { extname } from 'node:path';

/**
 * Containers ffmpeg reads as video. Everything else goes to the image decoder (PNG, JPEG, GIF,
 * BMP, ...), which says so when it cannot read a file; a GIF is an image (its first frame).
 */
export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set([
  '.mp4', '.m4v', '.mov', '.mkv', '.webm', '.avi', '.wmv', '.flv', '.mpg', '.mpeg', '.ts', '.mts', '.m2ts', '.3gp', '.ogv',
]);

/** The picture formats the image decoder reads. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.jpe', '.jfif', '.gif']);

export function isVideoFile(file: string): boolean {
  return VIDEO_EXTENSIONS.has(extname(file).toLowerCase());
}

/** A video or a picture gitcap captions (what a folder run picks up). */
export function isMediaFile(file: string): boolean {
  const ext = extname(file).toLowerCase();
  return VIDEO_EXTENSIONS.has(ext) || IMAGE_EXTENSIONS.has(ext);
}
