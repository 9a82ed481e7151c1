// `require('gitcap')`. gitcap is an ES module: Node.js versions that load ES modules from
// require() (20.19, 22.12 and later) get it as is; older ones a message saying how to import it.
const ESM_ONLY = "gitcap is an ES module: use `import` (import { GitModel } from 'gitcap') or `await import('gitcap')`";

function loadEsm(): unknown {
  try {
    return require('./index.js');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | null)?.code;
    if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE') throw err;
    throw Object.assign(new Error(ESM_ONLY, { cause: err }), { code });
  }
}

module.exports = loadEsm();
