// The page at GET /, in a real headless browser (the system's Chromium through playwright-core):
// choose an image, ask a question, and the caption streams in as model.caption() gives it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GitcapServer, GitModel } from '../../lib/index.js';
import { assertNoUploadLeft, IMAGE, loadFixture, startServer } from './helpers.js';

const BROWSERS = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const browserPath = BROWSERS.find((p): p is string => p !== undefined && existsSync(p));
const skip = browserPath === undefined ? 'no Chromium found (install Debian\'s chromium package, or set CHROMIUM_PATH)' : false;

let image: GitModel;
let server: GitcapServer;

before(async () => {
  if (skip) return;
  image = await loadFixture('tiny-image');
  server = await startServer(image);
});

after(async () => {
  if (skip) return;
  await server.close();
  await image.dispose();
  assertNoUploadLeft();
});

describe('the web page', () => {
  it('captions a chosen image and answers a question, streaming the text in', { skip, timeout: 180_000 }, async () => {
    const { chromium } = await import('playwright-core');
    const profile = mkdtempSync(join(tmpdir(), 'gitcap-chromium-'));
    // a fresh profile folder each run
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: browserPath!,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(server.url);
      await page.setInputFiles('#file', IMAGE);
      for (const question of ['', 'what is in the picture?']) {
        const expected = await image.caption({ image: IMAGE }, question ? { prompt: question } : {});
        await page.fill('#question', question);
        // counts the changes of the caption's text: one per streamed piece, and the final text (mutation
        // records, not observer calls: pieces that arrive in one network read change the text in one task).
        // Functions, not strings: the page's Content-Security-Policy forbids eval.
        await page.evaluate(() => {
          const w = globalThis as any;
          w.changes = 0;
          new w.MutationObserver((records: unknown[]) => (w.changes += records.length)).observe(w.document.getElementById('caption'), { childList: true, characterData: true, subtree: true });
        });
        await page.click('#go');
        await page.waitForFunction(
          () => {
            const d = (globalThis as any).document;
            return !d.getElementById('go').disabled && d.getElementById('status').textContent !== 'Captioning...';
          },
          undefined,
          { timeout: 60_000 },
        );
        assert.match((await page.textContent('#status'))!, /^Done in \d+ ms/);
        assert.equal(await page.textContent('#caption'), expected.text);
        assert.ok((await page.evaluate(() => (globalThis as any).changes as number)) > 2, 'the text arrived in pieces');
      }
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
