// preprocessor_config.json sizes the vision tower cannot take are refused at conversion, naming the key.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convertCheckpoint } from '../../weights-convert/index.js';
import { copyModelFiles, tempDir, TINY_IMAGE } from './helpers.js';

const CASES: { name: string; change: Record<string, unknown>; message: string }[] = [
  { name: 'a 40000-pixel crop', change: { crop_size: { height: 40000, width: 40000 } },
    message: "crop_size 40000x40000 does not match the vision tower's image_size 224x224" },
  { name: 'a 40000-pixel shortest edge', change: { size: { shortest_edge: 40000 } },
    message: "size.shortest_edge 40000 is more than 4 times the vision tower's image_size 224" },
  { name: 'a resize to the wrong size without a crop', change: { do_center_crop: false, size: { height: 300, width: 224 } },
    message: "size 224x300 does not match the vision tower's image_size 224x224" },
  { name: 'a shortest-edge resize without a crop', change: { do_center_crop: false },
    message: "without do_center_crop, size must be {height, width} of the vision tower's image_size 224, or images would not fit it" },
];

describe('preprocessing sizes against the vision tower', () => {
  let root: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (root = await tempDir()));
  after(() => root.remove());

  for (const [i, c] of CASES.entries()) {
    it(`refuses ${c.name}`, async () => {
      const dir = join(root.path, `case-${i}`);
      await copyModelFiles(TINY_IMAGE, dir);
      await copyFile(join(TINY_IMAGE, 'model.safetensors'), join(dir, 'model.safetensors'));
      const pp = JSON.parse(await readFile(join(TINY_IMAGE, 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(join(dir, 'preprocessor_config.json'), JSON.stringify({ ...pp, ...c.change }));
      const file = join(dir, 'preprocessor_config.json');
      await assert.rejects(convertCheckpoint(dir, join(root.path, `out-${i}.gguf`), { type: 'f16' }), {
        code: 'E_UNSUPPORTED',
        message: `${file}: ${c.message}`,
      });
    });
  }
});
