// Accuracy of each weight type on the fixtures: every golden case run from its golden pixel
// values through a GGUF of that type, compared with the f32 PyTorch goldens.
//   node --import tsx bench/accuracy.ts [--types f32,f16,q8_0,q4_0] [--json out.json]
// Prints a markdown table: max and mean |logit - golden| at the first step (over all cases),
// greedy agreement (cases whose 20 ids equal the goldens; mean share of ids equal up to the
// first difference), and whether any value was not finite.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GitModel } from '../lib/index.js';
import type { QuantType } from '../weights-convert/index.js';
import { fixtureGguf, goldenTensor, goldens, pixelValues } from '../test/model/goldens.js';

export interface TypeAccuracy {
  type: string;
  maxAbsLogitError: number;
  meanAbsLogitError: number;
  casesExact: number;
  cases: number;
  meanAgreement: number;
  nonFinite: boolean;
}

export async function measureAccuracy(type: QuantType): Promise<TypeAccuracy> {
  const models = new Map<string, GitModel>();
  for (const name of ['tiny-vatex', 'tiny-image'] as const) {
    models.set(name, await GitModel.load(await fixtureGguf(name, type), { backend: 'cpu', threads: 1 }));
  }
  let maxErr = 0;
  let sumErr = 0;
  let count = 0;
  let exact = 0;
  let agreement = 0;
  let nonFinite = false;
  const names = Object.keys(goldens.cases);
  for (const name of names) {
    const c = goldens.cases[name]!;
    const r = await models.get(c.model)!.caption(
      { pixels: pixelValues(name) },
      { returnFirstLogits: true, prompt: c.question },
    );
    const ref = goldenTensor(`${name}.logits_step0`);
    for (let i = 0; i < ref.length; i++) {
      const v = r.firstLogits![i]!;
      if (!Number.isFinite(v)) nonFinite = true;
      const e = Math.abs(v - ref[i]!);
      maxErr = Math.max(maxErr, e);
      sumErr += e;
      count++;
    }
    let same = 0;
    while (same < c.new_token_ids.length && r.tokenIds[same] === c.new_token_ids[same]) same++;
    agreement += same / c.new_token_ids.length;
    if (same === c.new_token_ids.length && r.tokenIds.length === same) exact++;
  }
  for (const m of models.values()) await m.dispose();
  return {
    type,
    maxAbsLogitError: maxErr,
    meanAbsLogitError: sumErr / count,
    casesExact: exact,
    cases: names.length,
    meanAgreement: agreement / names.length,
    nonFinite,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { types: { type: 'string', default: 'f32,f16,q8_0,q5_1,q4_0,q4_K' }, json: { type: 'string' } } });
  const rows: TypeAccuracy[] = [];
  for (const type of values.types!.split(',')) rows.push(await measureAccuracy(type as QuantType));
  console.log('| type | max abs logit error | mean abs logit error | greedy ids equal (cases) | ids equal until first difference | non-finite |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.type} | ${r.maxAbsLogitError.toExponential(2)} | ${r.meanAbsLogitError.toExponential(2)} | ${r.casesExact}/${r.cases} | ${(100 * r.meanAgreement).toFixed(1)}% | ${r.nonFinite ? 'yes' : 'no'} |`,
    );
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
