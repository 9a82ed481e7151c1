// The same goldens through ggml's fused attention (flash attention), which CPUs without AVX-512
// and the GPU backends use. The variable is read when a model is loaded.
import { engineGoldenSuite } from './engine-goldens.js';

process.env.GITCAP_ATTENTION = 'ggml';
engineGoldenSuite('f32 engine vs goldens (ggml flash attention)');
