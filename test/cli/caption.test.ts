// `gitcap caption` and `gitcap <file...>` as a user runs them: a child process per call, the
// fixture models converted to GGUF, the goldens as the expected captions.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitModel } from '../../lib/index.js';
import { FIXTURES, fixtureGguf, goldens } from '../model/goldens.js';
import { NO_HF_CACHE, gitcap, startGitcap, tempDir } from './gitcap-process.js';

const input = (name: string) => join(FIXTURES, 'inputs', name);
const FRAMES = goldens.cases.vatex_clip_full!.inputs.map((f) => join(FIXTURES, f));
const CLIP = input('clip.mp4');
const SQUARE = input('square_224x224.png');
const USAGE_LINE = 'Usage: gitcap caption <file...> [options]';

interface JsonLine {
  file?: string;
  files?: string[];
  text: string;
  tokenIds: number[];
  timings: Record<string, number>;
  error?: { code: string; message: string };
}

const jsonLines = (stdout: string) => stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as JsonLine);

let vatex: string;
let image: string;
let cache: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  vatex = await fixtureGguf('tiny-vatex');
  image = await fixtureGguf('tiny-image');
  cache = await tempDir();
});
after(() => cache.remove());

describe('gitcap caption: results', () => {
  it('--frames captions the clip frames as the goldens (--json)', async () => {
    const r = await gitcap(['caption', ...FRAMES, '--frames', '--model', vatex, '--threads', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const [line, ...more] = jsonLines(r.stdout);
    assert.deepEqual(more, []);
    assert.deepEqual(line!.files, FRAMES);
    assert.deepEqual(line!.tokenIds, goldens.cases.vatex_clip_full!.new_token_ids);
    assert.equal(line!.text, goldens.cases.vatex_clip_full!.decoded);
    assert.ok(line!.timings.visionMs! > 0 && line!.timings.decodeMs! > 0 && line!.timings.totalMs! > 0);
  });

  it('captions an image with an image model as the goldens', async () => {
    const r = await gitcap(['caption', SQUARE, '--model', image, '--threads', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const [line] = jsonLines(r.stdout);
    assert.equal(line!.file, SQUARE);
    assert.deepEqual(line!.tokenIds, goldens.cases.image_square_224x224!.new_token_ids);
    assert.equal(line!.text, goldens.cases.image_square_224x224!.decoded);
  });

  it('answers a question with --prompt (VQA)', async () => {
    const c = goldens.cases.vatex_clip_vqa!;
    const r = await gitcap(['caption', ...FRAMES, '--frames', '--prompt', c.question!, '--model', vatex, '--threads', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(jsonLines(r.stdout)[0]!.tokenIds, c.new_token_ids);
  });

  it('captions the video file: its six uniformly sampled frames give the goldens of the frames', async () => {
    const r = await gitcap(['caption', CLIP, '--model', vatex, '--threads', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const [line] = jsonLines(r.stdout);
    assert.equal(line!.file, CLIP);
    assert.deepEqual(line!.tokenIds, goldens.cases.vatex_clip_full!.new_token_ids);
    assert.ok(line!.timings.readMs! > 0);
  });

  it('streams one line per input that equals the final text, "<file>: " first when several', async () => {
    const one = await gitcap(['caption', SQUARE, '--model', image, '--threads', '1']);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout, `${goldens.cases.image_square_224x224!.decoded}\n`);

    const files = [SQUARE, input('photo_640x480.jpg'), input('tiny_20x15.png')];
    const [text, json] = await Promise.all([
      gitcap(['caption', ...files, '--model', image, '--threads', '1']),
      gitcap(['caption', ...files, '--model', image, '--threads', '1', '--json']),
    ]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout, jsonLines(json.stdout).map((l) => `${l.file}: ${l.text}\n`).join(''));
    assert.equal(text.stdout.split('\n')[1], `${files[1]}: ${goldens.cases.image_photo_640x480_full!.decoded}`);

    const c = goldens.cases.image_photo_vqa!;
    const vqa = await gitcap(['caption', input('photo_640x480.jpg'), '--prompt', c.question!, '--model', image, '--threads', '1']);
    const answer = c.decoded.slice(c.question!.toLowerCase().length).trim();
    assert.equal(vqa.stdout, `${answer}\n`);
  });

  it('passes the generation and frame-sampling flags to the model', async () => {
    const flags = ['--temperature', '0.9', '--top-k', '40', '--top-p', '0.95', '--seed', '7', '--repetition-penalty', '1.2'];
    const beams = ['--beams', '3', '--max-new-tokens', '8', '--min-new-tokens', '8'];
    const sampling = ['--sampling', 'timestamps:0,0.5,1,1.5,2,2.5', '--max-new-tokens', '5'];
    const runs = await Promise.all(
      [flags, beams, sampling].map((f) => gitcap(['caption', CLIP, '--model', vatex, '--threads', '1', '--backend', 'cpu', '--json', ...f])),
    );
    const model = await GitModel.load(vatex, { backend: 'cpu', threads: 1 });
    try {
      const expected = [
        await model.caption({ video: CLIP }, { temperature: 0.9, topK: 40, topP: 0.95, seed: 7, repetitionPenalty: 1.2 }),
        await model.caption({ video: CLIP }, { numBeams: 3, maxNewTokens: 8, minNewTokens: 8 }),
        await model.caption({ video: CLIP }, { sampling: { kind: 'timestamps', timestamps: [0, 0.5, 1, 1.5, 2, 2.5] }, maxNewTokens: 5 }),
      ];
      runs.forEach((r, i) => {
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(jsonLines(r.stdout)[0]!.tokenIds, expected[i]!.tokenIds);
      });
      assert.equal(expected[1]!.tokenIds.length, 8);
      assert.notDeepEqual(expected[0]!.tokenIds, goldens.cases.vatex_clip_full!.new_token_ids);
    } finally {
      await model.dispose();
    }
  });

  it('converts a checkpoint folder given as --model (cached), with --quant', async () => {
    const r = await gitcap(['caption', SQUARE, '--model', join(FIXTURES, 'tiny-image'), '--quant', 'f32', '--threads', '1', '--json'], {
      GITCAP_CACHE: cache.path,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(jsonLines(r.stdout)[0]!.tokenIds, goldens.cases.image_square_224x224!.new_token_ids);
  });

  it('`gitcap <file...>` is `gitcap caption <file...>`', async () => {
    const r = await gitcap([SQUARE, '--model', image, '--threads', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${goldens.cases.image_square_224x224!.decoded}\n`);
    const missing = await gitcap(['no-such-clip.mp4']);
    assert.deepEqual(missing, { code: 1, stdout: '', stderr: 'gitcap caption: no-such-clip.mp4: no such file (E_NOT_FOUND)\n' });
    const command = await gitcap(['frobnicate']);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /^gitcap: unknown command "frobnicate"$/m);
  });
});

describe('gitcap caption: errors and exit codes', () => {
  it('a missing file exits 1 with E_NOT_FOUND before any model is loaded', async () => {
    const missing = input('missing.png');
    const r = await gitcap(['caption', SQUARE, missing, '--model', join(cache.path, 'never-read.gguf')]);
    assert.deepEqual(r, { code: 1, stdout: '', stderr: `gitcap caption: ${missing}: no such file (E_NOT_FOUND)\n` });
  });

  it('a file that cannot be read fails alone: the others are captioned, exit 1', async () => {
    const broken = join(FIXTURES, 'image-broken', 'not_an_image.txt');
    const text = await gitcap(['caption', SQUARE, broken, SQUARE, '--model', image, '--threads', '1']);
    assert.equal(text.code, 1);
    const caption = goldens.cases.image_square_224x224!.decoded;
    assert.equal(text.stdout, `${SQUARE}: ${caption}\n${SQUARE}: ${caption}\n`);
    const message = 'Unrecognized image data: expected a PNG, JPEG or GIF file';
    assert.equal(text.stderr, `gitcap caption: ${broken}: ${message} (E_INPUT)\n`);
    const json = await gitcap(['caption', broken, SQUARE, '--model', image, '--threads', '1', '--json']);
    assert.equal(json.code, 1);
    const lines = jsonLines(json.stdout);
    assert.deepEqual(lines[0], { file: broken, error: { code: 'E_INPUT', message } });
    assert.equal(lines[1]!.text, caption);
  });

  it('usage mistakes exit 2 with their exact messages', async () => {
    const cases: [string[], string][] = [
      [[], `Missing <file>: a video or image to caption\n${USAGE_LINE}`],
      [[SQUARE, '--nope'], `Unknown option "--nope"\n${USAGE_LINE}`],
      [[SQUARE, '--model'], `Option "--model" needs a value\n${USAGE_LINE}`],
      [[SQUARE, '--beams', '0'], 'Expected an integer between 1 and 16 for --beams but received "0"'],
      [[SQUARE, '--max-new-tokens', 'ten'], 'Expected an integer between 0 and 100000 for --max-new-tokens but received "ten"'],
      [[SQUARE, '--min-new-tokens', '25'], '--min-new-tokens (25) is more than --max-new-tokens (20, the default)'],
      [[SQUARE, '--top-p', '0'], 'Expected a number in (0, 1] for --top-p but received "0"'],
      [[SQUARE, '--temperature=-1'], 'Expected a number between 0 and 100 for --temperature but received "-1"'],
      [[SQUARE, '--repetition-penalty', '0'], 'Expected a positive number for --repetition-penalty but received "0"'],
      [[SQUARE, '--beams', '2', '--temperature', '0.5'], '--temperature must be 0 with --beams above 1 (beam search does not sample)'],
      [[SQUARE, '--threads', '0'], 'Expected an integer between 1 and 1024 for --threads but received "0"'],
      [[SQUARE, '--backend', 'tpu'], 'Expected one of auto, cpu, cuda, metal, vulkan for --backend but received "tpu"'],
      [[SQUARE, '--quant', 'q3'], 'Expected one of f32, f16, q4_0, q4_1, q5_0, q5_1, q8_0, q4_K, q5_K, q6_K for --quant but received "q3"'],
      [[SQUARE, '--sampling', 'every'], 'Expected uniform, window:<frameSampleRate>[:<seed>] or timestamps:<seconds>,... for --sampling but received "every"'],
      [[CLIP, '--sampling', 'window:0.5'], 'Expected finite number >= 1 for sampling.frameSampleRate but received 0.5 of type number'],
      [[SQUARE, CLIP, '--frames'], `--frames takes images, but ${CLIP} is a video: give it without --frames`],
      [[SQUARE, '--model', vatex, '--quant', 'q8_0'], `--quant applies to a checkpoint folder or a hub repository, not to the GGUF file ${vatex}`],
      [
        [SQUARE, '--model', vatex, '--max-new-tokens', '1024'],
        'Expected an integer between 0 and 1023 for --max-new-tokens (the model has 1024 text positions) but received "1024"',
      ],
      [[CLIP, '--model', vatex, '--threads', '1', '--sampling', 'timestamps:0,1'], 'Expected 6 timestamps (numFrames) but received 2'],
    ];
    // A few at a time: most of each run is starting node.
    for (let i = 0; i < cases.length; i += 4) {
      const batch = cases.slice(i, i + 4);
      const results = await Promise.all(batch.map(([args]) => gitcap(['caption', ...args])));
      batch.forEach(([args, message], j) => {
        // Every usage error ends with the usage line.
        const usage = message.endsWith(USAGE_LINE) ? '' : `\n${USAGE_LINE}`;
        assert.deepEqual(results[j], { code: 2, stdout: '', stderr: `gitcap caption: ${message}${usage}\n` }, args.join(' '));
      });
    }
  });

  it('--help and `gitcap help caption` print the usage and exit 0', async () => {
    const help = await gitcap(['caption', '--help']);
    assert.equal(help.code, 0);
    assert.ok(help.stdout.startsWith(`${USAGE_LINE}\n`));
    assert.match(help.stdout, /^ {2}--max-new-tokens <n> /m);
    assert.deepEqual(await gitcap(['help', 'caption']), help);
    const list = await gitcap(['--help']);
    assert.match(list.stdout, /^ {2}caption +Caption videos and images/m);
  });

  it('Ctrl-C stops between tokens and exits 130', async () => {
    const child = startGitcap(['caption', ...Array<string>(200).fill(SQUARE), '--model', image, '--threads', '1']);
    await child.firstOutput;
    child.process.kill('SIGINT');
    const r = await child.exit;
    assert.equal(r.code, 130);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.equal(lines.pop(), '', 'the last line is ended');
    assert.ok(lines.length < 200, `${lines.length} lines`);
  });

  it('stops when the reader of stdout goes away (`| head -1`) and exits 141, as on SIGPIPE', async () => {
    const child = startGitcap(['caption', ...Array<string>(200).fill(SQUARE), '--model', image, '--threads', '1']);
    await child.firstOutput;
    child.process.stdout!.destroy();
    const r = await child.exit;
    assert.equal(r.code, 141);
    assert.equal(r.stderr, '');
  });
});

describe('gitcap caption: the default model', () => {
  it('offline with an empty cache, `gitcap clip.mp4` exits 1 saying how to get the model', async () => {
    const r = await gitcap([CLIP, '--threads', '1'], { GITCAP_CACHE: cache.path, HF_HUB_OFFLINE: '1' });
    assert.deepEqual(r, {
      code: 1,
      stdout: '',
      stderr:
        `gitcap caption: microsoft/git-base-vatex (revision main, q8_0) is not in the cache at ${cache.path} nor in the ` +
        `Hugging Face cache at ${NO_HF_CACHE}, and offline mode ` +
        '(HF_HUB_OFFLINE or the offline option) forbids downloading it: run "gitcap pull microsoft/git-base-vatex --quant q8_0" ' +
        'once while online (E_NOT_FOUND)\n',
    });
  });

  it('a hub repository id as --model is pulled (offline here: the same message for it)', async () => {
    const r = await gitcap([CLIP, '--model', 'someone/git-model', '--quant', 'f16'], { GITCAP_CACHE: cache.path });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^gitcap caption: someone\/git-model \(revision main, f16\) is not in the cache at .* \(E_NOT_FOUND\)\n$/);
    const path = await gitcap([CLIP, '--model', 'models/missing.gguf']);
    assert.equal(
      path.stderr,
      'gitcap caption: models/missing.gguf: no such file or folder (--model takes a GGUF file, a checkpoint folder or a hub repository owner/name) (E_NOT_FOUND)\n',
    );
  });
});
