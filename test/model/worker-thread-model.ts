// Loads a model in a worker thread and captions once (used by worker-threads.test.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { GitModel } from '../../lib/index.js';
import { pixelValues } from './goldens.js';

const { gguf, caseName } = workerData as { gguf: string; caseName: string };
const model = await GitModel.load(gguf, { backend: 'cpu', threads: 1 });
const r = await model.caption({ pixels: pixelValues(caseName) });
await model.dispose();
parentPort!.postMessage(r.tokenIds);
