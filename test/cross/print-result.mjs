// Prints the checks of a test/cross/smoke.ts result file; exits 1 if it is missing or failed.
//   node test/cross/print-result.mjs <result.json> <label> [seconds]
import fs from 'node:fs';

const [file, label, seconds] = process.argv.slice(2);
if (!fs.existsSync(file)) {
  console.log(`${label}: FAIL: no result file (the emulated Node did not finish)`);
  process.exit(1);
}
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const cpu = r.info?.cpu;
console.log(`${label}: ${r.passed ? 'passed' : 'FAILED'} in ${seconds ?? r.seconds} s; variant ${cpu?.variant}; matmul ${JSON.stringify(r.matmulKernel)}`);
for (const c of r.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
process.exit(r.passed ? 0 : 1);
