// The f32 goldens through the default attention: gitcap's own kernel where the CPU has AVX-512
// (and the head size is a multiple of 16: the tiny-image model; the tiny-vatex model's 8-wide
// heads take ggml's flash attention), ggml's flash attention elsewhere.
import { engineGoldenSuite } from './engine-goldens.js';

engineGoldenSuite('f32 engine vs goldens (default attention)');
