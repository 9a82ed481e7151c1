// Converts the fixture checkpoints to GGUF on this machine for a smoke test under an emulator
// (test/cross/smoke.ts reads them through GITCAP_FIXTURE_GGUF_DIR):
//   node --import tsx test/cross/prepare-ggufs.ts <folder> [f32,q8_0,q4_0]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { convertCheckpoint, type QuantType } from '../../weights-convert/index.js';
import { FIXTURES } from '../model/goldens.js';

const [out, types = 'f32,q8_0,q4_0'] = process.argv.slice(2);
if (!out) throw new Error('usage: prepare-ggufs.ts <folder> [types]');
mkdirSync(out, { recursive: true });
for (const model of ['tiny-vatex', 'tiny-image'] as const) {
  for (const type of types.split(',') as QuantType[]) {
    await convertCheckpoint(join(FIXTURES, model), join(out, `${model}-${type}.gguf`), { type });
  }
}
console.log(`prepare-ggufs: ${types} of tiny-vatex and tiny-image in ${out}`);
