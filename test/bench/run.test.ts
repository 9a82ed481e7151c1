// `npm run bench` end to end on the tiny fixture checkpoint, with a stand-in peer: the output and
// JSON have every figure (their values are not checked: this is not a timed test).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const PEER_LINES = 'torch 2.6.0, threads 2, numpy 1.26\nb_efficient_generate_20: median 12.000s  runs [12]\n' +
  'a_hf_style_generate_20: median 180.000s  runs [180]\nd_vision_6_frames: median 6.000s  runs [6]\npeak RSS: 1440 MiB\n';

let dir: string;

function bench(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--model-dir', 'test/fixtures/tiny-vatex', '--cache', dir, ...args], {
    encoding: 'utf8',
  });
}

before(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'gitcap-bench-test-'));
  await writeFile(join(dir, 'peer.txt'), PEER_LINES);
});

after(() => rm(dir, { recursive: true, force: true }));

describe('npm run bench', () => {
  it('measures a configuration in a child process, runs the peer and writes the JSON', async () => {
    const json = join(dir, 'out.json');
    const r = bench('--types', 'q8_0', '--threads', '1', '--runs', '2', '--peer', `cat ${join(dir, 'peer.txt')}`, '--json', json);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^CPU: .+, ISA /m);
    assert.match(r.stdout, /^type +threads +file MiB +load ms +preprocess ms +vision ms +prefix ms +ms\/token +tokens\/s +total ms +peak RSS MiB/m);
    assert.match(r.stdout, /^q8_0 +1 /m);
    assert.match(r.stdout, /vs HF-style +vs encode-once/);
    assert.match(r.stderr, /^peer \| peak RSS: 1440 MiB$/m);

    const report = JSON.parse(await readFile(json, 'utf8'));
    assert.equal(report.schema, 'gitcap-bench/1');
    assert.ok(report.machine.cpuModel.length > 0);
    const [c, ...rest] = report.configs;
    assert.equal(rest.length, 0);
    assert.deepEqual([c.type, c.quantization, c.threads, c.newTokens, c.runs.length], ['q8_0', 'q8_0', 1, 20, 2]);
    assert.equal(c.fileBytes, (await stat(join(dir, 'tiny-vatex-q8_0.gguf'))).size);
    assert.ok(c.peakRssBytes >= c.baselineRssBytes && c.baselineRssBytes > 0);
    for (const key of ['preprocessMs', 'visionMs', 'prefixMs', 'decodeMs', 'totalMs', 'loadMs']) {
      assert.ok((c.median[key] ?? c[key]) > 0, key);
    }
    assert.ok(Math.abs(c.median.perTokenMs - c.median.decodeMs / 20) < 1e-9);
    assert.deepEqual([report.peer.hfStyleS, report.peer.encodeOnceS, report.peer.preprocessS], [180, 12, null]);
    assert.ok(Math.abs(report.ratios[0].encodeOnce - 12 / (c.median.totalMs / 1000)) < 1e-9);
    assert.equal(report.ratios[0].preprocess, null);
    assert.equal(report.ratios[0].sameTokens, null);
    assert.equal(typeof report.peer.othersCpus, 'number');
    assert.equal(c.tokenIds.length, 20);

    const md = spawnSync(process.execPath, ['--import', 'tsx', 'bench/markdown.ts', json], { encoding: 'utf8' });
    assert.equal(md.status, 0, md.stderr);
    assert.match(md.stdout, /^ {4}npm run bench -- --model-dir test\/fixtures\/tiny-vatex .* --peer "cat .*peer\.txt" --json /m);
    assert.match(md.stdout, /^\| q8_0 \| 1 \| /m);
    assert.match(md.stdout, /^\| type \| threads \| vs HF-style \| vs encode-once \|/m);
  });

  it('fails with the reason when the peer fails', () => {
    const r = bench('--types', 'q8_0', '--threads', '1', '--runs', '1', '--peer', 'exit 3');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^gitcap bench: the peer command failed \(exit code 3\): exit 3$/m);
  });

  it('says how to make the checkpoint when it is missing', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--model-dir', join(dir, 'none'), '--cache', dir], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^gitcap bench: .*none: no weights file \(model\.safetensors\.index\.json, model\.safetensors, pytorch_model\.bin\.index\.json, pytorch_model\.bin\); write the benchmark checkpoint with/m);
  });
});
