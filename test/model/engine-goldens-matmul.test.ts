// The same goldens through the unfused attention path (two matmuls around a softmax), which
// backends without f32 flash attention use. The variable is read when a model is loaded.
import { engineGoldenSuite } from './engine-goldens.js';

process.env.GITCAP_ATTENTION = 'matmul';
engineGoldenSuite('f32 engine vs goldens (matmul attention)');
