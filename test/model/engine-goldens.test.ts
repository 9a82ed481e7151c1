import { engineGoldenSuite } from './engine-goldens.js';

engineGoldenSuite('f32 engine vs goldens (fused attention)');
