import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseGeneration } from '../../weights-convert/generation.js';
import { parseHparams } from '../../weights-convert/hparams.js';
import { parsePreprocessing } from '../../weights-convert/preprocessor.js';
import { TINY_IMAGE, TINY_VATEX } from './helpers.js';

const json = async (dir: string, f: string) => JSON.parse(await readFile(join(dir, f), 'utf8')) as Record<string, unknown>;

describe('config.json', () => {
  it('applies GitVisionConfig defaults to the keys a compact config omits', async () => {
    const hp = parseHparams('config.json', await json(TINY_VATEX, 'config.json'));
    assert.deepEqual(hp, {
      text: { vocabSize: 30522, hidden: 32, layers: 2, heads: 4, ffn: 64, act: 'gelu', maxPositions: 1024, eps: 1e-12 },
      vision: {
        hidden: 32, ffn: 64, layers: 2, heads: 4, channels: 3, imageSize: 224, patchSize: 16,
        act: 'quick_gelu', eps: 1e-5, patchesPerSide: 14,
      },
      numFrames: 6, tieWordEmbeddings: false, bosId: 101, eosId: 102, padId: 0,
    });
  });

  it('reads an explicit vision_config and a null num_image_with_embedding', async () => {
    const hp = parseHparams('config.json', await json(TINY_IMAGE, 'config.json'));
    assert.equal(hp.vision.eps, 0.01);
    assert.equal(hp.vision.patchSize, 32);
    assert.equal(hp.vision.patchesPerSide, 7);
    assert.equal(hp.numFrames, 0);
  });

  it('uses GitConfig defaults for an almost empty config', () => {
    const hp = parseHparams('c.json', { model_type: 'git' });
    assert.deepEqual(hp.text, { vocabSize: 30522, hidden: 768, layers: 6, heads: 12, ffn: 3072, act: 'gelu', maxPositions: 1024, eps: 1e-12 });
    assert.deepEqual(hp.vision, {
      hidden: 768, ffn: 3072, layers: 12, heads: 12, channels: 3, imageSize: 224, patchSize: 16,
      act: 'quick_gelu', eps: 1e-5, patchesPerSide: 14,
    });
    assert.deepEqual([hp.numFrames, hp.bosId, hp.eosId, hp.padId], [0, 101, 102, 0]);
  });

  it('rejects other models and settings the engine does not implement', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ model_type: 'blip' }, 'E_UNSUPPORTED', 'c.json: model_type "blip" is not supported (expected "git")'],
      [{}, 'E_UNSUPPORTED', 'c.json: model_type null is not supported (expected "git")'],
      [{ model_type: 'git', position_embedding_type: 'relative_key' }, 'E_UNSUPPORTED',
        'c.json: position_embedding_type "relative_key" is not supported (expected "absolute")'],
      [{ model_type: 'git', hidden_act: 'gelu_new' }, 'E_UNSUPPORTED', 'c.json: hidden_act "gelu_new" is not supported (supported: gelu)'],
      [{ model_type: 'git', vision_config: { hidden_act: 'gelu' } }, 'E_UNSUPPORTED',
        'c.json: hidden_act "gelu" is not supported (supported: quick_gelu)'],
      [{ model_type: 'git', vision_config: { num_channels: 1 } }, 'E_UNSUPPORTED', 'c.json: num_channels 1 is not supported (expected 3)'],
      [{ model_type: 'git', hidden_size: 100 }, 'E_MODEL_FORMAT', 'c.json: hidden_size 100 is not a multiple of num_attention_heads 12'],
      [{ model_type: 'git', num_hidden_layers: 2.5 }, 'E_MODEL_FORMAT', 'c.json: num_hidden_layers must be a positive integer, got 2.5'],
      [{ model_type: 'git', vision_config: { patch_size: 15 } }, 'E_UNSUPPORTED', 'c.json: image_size 224 is not a multiple of patch_size 15'],
      [{ model_type: 'git', num_image_with_embedding: 0 }, 'E_MODEL_FORMAT', 'c.json: num_image_with_embedding must be a positive integer, got 0'],
      [{ model_type: 'git', vision_config: [] }, 'E_MODEL_FORMAT', 'c.json: vision_config must be an object, got an array'],
    ];
    for (const [config, code, message] of cases) assert.throws(() => parseHparams('c.json', config), { code, message });
  });
});

describe('preprocessor_config.json', () => {
  it('reads git-base-vatex (VideoMAEImageProcessor) and git-base-coco (CLIPImageProcessor)', async () => {
    assert.deepEqual(parsePreprocessing('p.json', await json(TINY_VATEX, 'preprocessor_config.json'), 3), {
      processor: 'VideoMAEImageProcessor', doResize: true, shortestEdge: 224, resizeHeight: 0, resizeWidth: 0,
      resample: 2, doCenterCrop: true, cropHeight: 224, cropWidth: 224, doRescale: true,
      rescaleFactor: 0.00392156862745098, doNormalize: true, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5],
      doConvertRgb: false,
    });
    const clip = parsePreprocessing('p.json', await json(TINY_IMAGE, 'preprocessor_config.json'), 3);
    assert.deepEqual([clip.processor, clip.resample, clip.doConvertRgb], ['CLIPImageProcessor', 3, true]);
    assert.deepEqual(clip.std, [0.26862954, 0.26130258, 0.27577711]);
  });

  it("applies each processor's defaults to omitted keys", () => {
    const clip = parsePreprocessing('p.json', { image_processor_type: 'CLIPImageProcessor' }, 3);
    assert.deepEqual(clip, {
      processor: 'CLIPImageProcessor', doResize: true, shortestEdge: 224, resizeHeight: 0, resizeWidth: 0,
      resample: 3, doCenterCrop: true, cropHeight: 224, cropWidth: 224, doRescale: true, rescaleFactor: 1 / 255,
      doNormalize: true, mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711],
      doConvertRgb: true,
    });
    const video = parsePreprocessing('p.json', { feature_extractor_type: 'VideoMAEFeatureExtractor', do_convert_rgb: true }, 3);
    assert.deepEqual([video.processor, video.resample, video.mean, video.doConvertRgb], ['VideoMAEImageProcessor', 2, [0.5, 0.5, 0.5], false]);
  });

  it('accepts integer sizes, {height, width} and scalar mean/std', () => {
    const p = parsePreprocessing('p.json', {
      image_processor_type: 'CLIPImageProcessorFast', size: { height: 256, width: 320 }, crop_size: 200,
      image_mean: 0.5, image_std: 0.25, do_center_crop: false, rescale_factor: 0.5,
    }, 3);
    assert.deepEqual(
      [p.shortestEdge, p.resizeHeight, p.resizeWidth, p.cropHeight, p.cropWidth, p.mean, p.std, p.doCenterCrop, p.rescaleFactor],
      [0, 256, 320, 200, 200, [0.5, 0.5, 0.5], [0.25, 0.25, 0.25], false, 0.5],
    );
    assert.equal(parsePreprocessing('p.json', { image_processor_type: 'CLIPImageProcessor', size: 384 }, 3).shortestEdge, 384);
  });

  it('rejects what the engine cannot replicate', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ image_processor_type: 'SiglipImageProcessor' }, 'E_UNSUPPORTED',
        'p.json: image processor "SiglipImageProcessor" is not supported (expected CLIPImageProcessor or VideoMAEImageProcessor)'],
      [{}, 'E_MODEL_FORMAT', 'p.json: neither image_processor_type nor feature_extractor_type is given'],
      [{ image_processor_type: 'CLIPImageProcessor', size: { longest_edge: 224 } }, 'E_UNSUPPORTED',
        'p.json: size {"longest_edge":224} is not supported (expected {shortest_edge} or {height, width})'],
      [{ image_processor_type: 'CLIPImageProcessor', resample: 7 }, 'E_UNSUPPORTED', 'p.json: resample 7 is not a PIL resampling filter (0-5)'],
      [{ image_processor_type: 'CLIPImageProcessor', image_mean: [0.5, 0.5] }, 'E_MODEL_FORMAT', 'p.json: image_mean has 2 values but the model has 3 channels'],
      [{ image_processor_type: 'CLIPImageProcessor', image_std: [1, 0, 1] }, 'E_MODEL_FORMAT', 'p.json: image_std must be a number or a list of non-zero numbers'],
      [{ image_processor_type: 'CLIPImageProcessor', do_resize: 'yes' }, 'E_MODEL_FORMAT', 'p.json: do_resize must be true or false, got "yes"'],
    ];
    for (const [pp, code, message] of cases) assert.throws(() => parsePreprocessing('p.json', pp, 3), { code, message });
  });
});

describe('generation_config.json', () => {
  it('defaults max_length to 20 and takes ids from the file before config.json', async () => {
    const hp = parseHparams('c.json', { model_type: 'git', bos_token_id: 5 });
    assert.deepEqual(parseGeneration('g.json', {}, hp), { maxLength: 20, bosId: 5, eosId: 102, padId: 0, warnings: [] });
    assert.deepEqual(parseGeneration('g.json', { max_length: 50, bos_token_id: 101, eos_token_id: [102, 1012] }, hp), {
      maxLength: 50, bosId: 101, eosId: 102, padId: 0,
      warnings: ['g.json: eos_token_id lists 2 ids; using the first, 102'],
    });
    const fixture = parseGeneration('g.json', await json(TINY_VATEX, 'generation_config.json'), hp);
    assert.deepEqual([fixture.bosId, fixture.eosId, fixture.padId, fixture.maxLength], [101, 102, 0, 20]);
  });
});
