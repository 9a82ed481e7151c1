// Worker-thread entry: TypeScript through tsx, then the model script.
import { register } from 'tsx/esm/api';

register();
await import('./worker-thread-model.ts');
