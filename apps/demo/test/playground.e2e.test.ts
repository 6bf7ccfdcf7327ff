import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ElementHandle, Page, Target } from 'puppeteer-core';
import { initBackend } from '@beyond-backprop/core-linalg';
import { runExperiment } from '@beyond-backprop/experiments';
import { buildApp, panels, settled, startHarness, type Harness } from './browser-harness.js';

let harness: Harness;
const scratch = mkdtempSync(join(tmpdir(), 'bbp-demo-files-'));

beforeAll(async () => {
  harness = await startHarness(await buildApp());
}, 180_000);

afterAll(async () => {
  await harness?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function message(page: Page): Promise<{ text: string; visible: boolean }> {
  return page.$eval('#message', (e) => ({ text: e.textContent ?? '', visible: !(e as HTMLElement).hidden && (e as HTMLElement).offsetHeight > 0 }));
}

describe('the playground in headless chromium', () => {
  it('target space reaches ≥ 99% train accuracy on two-spirals with epochs=1500, racing backprop', async () => {
    const page = await harness.open('dataset=two-spirals&methodA=target-space&methodB=backprop&epochs=1500&seed=1&backend=wasm&autorun=1');
    const [a, b] = await settled(page);
    expect(a).toMatchObject({ method: 'target-space', status: 'done', epoch: 1500, backend: 'wasm', error: '' });
    expect(a!.trainAccuracy).toBeGreaterThanOrEqual(0.99);
    expect(b).toMatchObject({ method: 'backprop', status: 'done', epoch: 1500, backend: 'wasm' });
    expect(b!.trainAccuracy).toBeGreaterThan(0.5);
    const text = await page.$eval('[data-run-panel]', (e) => e.textContent ?? '');
    expect(text).toMatch(/ms per iteration \(training step\)\d+\.\d\d/);
    await page.close();
  }, 300_000);

  it('the Platonic closed-form fit finishes in one step and fits two-spirals', async () => {
    const page = await harness.open('dataset=two-spirals&method=platonic&seed=1&backend=wasm&autorun=1');
    const [only, ...rest] = await settled(page);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ method: 'platonic', status: 'done', epoch: 1, error: '' });
    expect(only!.trainAccuracy).toBeGreaterThanOrEqual(0.99);
    await page.close();
  }, 120_000);

  it('a method that exchanges encoded weights shows its bytes on the wire (compressed-sync, Huffman codec)', async () => {
    const page = await harness.open('dataset=two-moons&method=compressed-sync&hidden=64,64&epochs=3&seed=0&backend=wasm&autorun=1');
    const [only] = await settled(page);
    expect(only).toMatchObject({ method: 'compressed-sync', status: 'done' });
    const wire = await page.$eval('[data-run-panel]', (e) => {
      const d = (e as HTMLElement).dataset;
      return { sent: Number(d.bytesSent), float32: Number(d.bytesSentFloat32), text: e.querySelector('.panel-wire')?.textContent ?? '' };
    });
    expect(wire.sent).toBeGreaterThan(0);
    expect(wire.float32).toBeGreaterThan(wire.sent);
    expect(wire.text).toMatch(/^on the wire: .* \(float32 would be .*× less\)$/);
    await page.close();
  }, 120_000);

  it('a layer-wise run (dll) shows each unit’s accuracy as it trains; another method clears the unit attributes', async () => {
    const page = await harness.open('dataset=two-moons&method=dll&hidden=16,16,16&epochs=4&seed=1&backend=wasm&autorun=1');
    const [only] = await settled(page);
    // 3 hidden layers: 3 units of 4 epochs each.
    expect(only).toMatchObject({ method: 'dll', status: 'done', epoch: 12, error: '' });
    const units = await page.$eval('[data-run-panel]', (e) => {
      const d = (e as HTMLElement).dataset;
      const items = Array.from(e.querySelectorAll('.panel-units li'));
      return {
        unit: d.unit,
        units: d.units,
        accuracies: d.unitAccuracies ?? '',
        train: d.trainAccuracy ?? '',
        rows: items.map((li) => li.textContent ?? ''),
        current: items.map((li) => li.getAttribute('aria-current')),
      };
    });
    expect(units).toMatchObject({ unit: '3', units: '3', current: [null, null, 'step'] });
    const accuracies = units.accuracies.split(',').map(Number);
    expect(accuracies).toHaveLength(3);
    for (const a of accuracies) {
      expect(Number.isFinite(a)).toBe(true);
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThanOrEqual(1);
    }
    // While the last unit trains, the panel measures the network up to it with its head: the output model.
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    expect(pct(accuracies[2])).toBe(pct(Number(units.train)));
    expect(units.rows).toHaveLength(3);
    units.rows.forEach((row, i) => expect(row).toMatch(new RegExp(`^unit ${i + 1} — train ${pct(accuracies[i]).replace('.', '\\.')}, test \\d+\\.\\d%$`)));
    expect(accuracies[2]).toBeGreaterThan(0.8);

    await page.evaluate(() => (location.hash = '#dataset=xor&method=backprop&epochs=2&backend=cpu&autorun=1'));
    await page.waitForFunction(() => (document.querySelector('[data-run-panel]') as HTMLElement).dataset.method === 'backprop');
    const [plain] = await settled(page);
    expect(plain).toMatchObject({ method: 'backprop', status: 'done', epoch: 2 });
    const cleared = await page.$eval('[data-run-panel]', (e) => {
      const d = (e as HTMLElement).dataset;
      return { attributes: [d.unit, d.units, d.unitAccuracies], listHidden: (e.querySelector('.panel-units') as HTMLElement).hidden };
    });
    expect(cleared).toEqual({ attributes: ['', '', ''], listHidden: true });
    await page.close();
  }, 120_000);

  it('data-parallel trains two-moons with 2 replicas in their own Web Workers and meters the Huffman-coded bytes', async () => {
    // Chromium reports every dedicated worker as a target (nested ones as type 'other'): the catalogue and training
    // workers, and one per replica script started inside the training worker.
    const replicaTargets = new Set<Target>();
    const onTarget = (target: Target) => {
      if (/\/replica-worker[^/]*\.js$/.test(target.url())) replicaTargets.add(target);
    };
    harness.browser.on('targetcreated', onTarget);
    try {
      const page = await harness.open('dataset=two-moons&method=data-parallel&workers=2&epochs=20&seed=1&backend=wasm&autorun=1');
      // The meter's values while the run trains (the replicas take a moment to load, so the observer is in time).
      await page.$eval('[data-run-panel]', (e) => {
        const seen: string[] = [];
        (window as unknown as { wireSeen: string[] }).wireSeen = seen;
        new MutationObserver(() => {
          const d = (e as HTMLElement).dataset;
          if (d.status === 'running' && d.bytesSent && seen.at(-1) !== d.bytesSent) seen.push(d.bytesSent);
        }).observe(e, { attributes: true });
      });
      const [only] = await settled(page);
      expect(only).toMatchObject({ method: 'data-parallel', status: 'done', epoch: 20, error: '' });
      expect(only!.trainAccuracy).toBeGreaterThanOrEqual(0.95);
      const d = await page.$eval('[data-run-panel]', (e) => {
        const data = (e as HTMLElement).dataset;
        return {
          workers: data.workers,
          sent: Number(data.bytesSent),
          float32: Number(data.bytesSentFloat32),
          text: e.querySelector('.panel-wire')?.textContent ?? '',
          replicaBackend: data.replicaBackend,
        };
      });
      expect(d.workers).toBe('2');
      expect(d.replicaBackend).toBe('wasm');
      expect(d.sent).toBeGreaterThan(0);
      expect(d.sent).toBeLessThan(d.float32);
      // The meter grew epoch by epoch while training, up to the final count.
      const during = (await page.evaluate(() => (window as unknown as { wireSeen: string[] }).wireSeen)).map(Number);
      expect(during.length).toBeGreaterThanOrEqual(5);
      expect(during).toEqual([...during].sort((a, b) => a - b));
      expect(during.at(-1)).toBeLessThanOrEqual(d.sent);
      expect(d.text).toMatch(/^on the wire: .* \(float32 would be .*× less\); replicas on wasm$/);
      // The replicas ran in two separate dedicated workers (not in the training worker's thread).
      expect(replicaTargets.size).toBe(2);
      await page.close();
    } finally {
      harness.browser.off('targetcreated', onTarget);
    }
  }, 240_000);

  it('data-parallel has page controls for replicas and codec, and its replicas run on the panel’s backend (cpu)', async () => {
    const page = await harness.open('dataset=two-moons&method=data-parallel&workers=3&codec=fixed8&epochs=5&seed=1&backend=cpu&autorun=1');
    const controls = () =>
      page.evaluate(() => {
        const fieldset = document.getElementById('data-parallel-controls') as HTMLFieldSetElement;
        return {
          workers: (document.getElementById('workers') as HTMLInputElement).value,
          codec: (document.getElementById('codec') as HTMLSelectElement).value,
          visible: !fieldset.hidden && fieldset.offsetHeight > 0,
        };
      });
    expect(await controls()).toEqual({ workers: '3', codec: 'fixed8', visible: true });
    const [only] = await settled(page);
    expect(only).toMatchObject({ method: 'data-parallel', status: 'done', epoch: 5, backend: 'cpu', error: '' });
    const d = await page.$eval('[data-run-panel]', (e) => {
      const data = (e as HTMLElement).dataset;
      return { workers: data.workers, replicaBackend: data.replicaBackend, text: e.querySelector('.panel-wire')?.textContent ?? '' };
    });
    expect(d).toMatchObject({ workers: '3', replicaBackend: 'cpu' });
    expect(d.text).toMatch(/; replicas on cpu$/);

    // Changing a control rewrites the link (and resets the panel); the codec stays as the link set it.
    await page.$eval('#workers', (e) => {
      (e as HTMLInputElement).value = '2';
      e.dispatchEvent(new Event('change'));
    });
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toMatch(/[#&]workers=2(&|$)/);
    expect(hash).toContain('codec=fixed8');
    expect((await panels(page))[0]).toMatchObject({ status: 'idle' });
    await page.select('#codec', '');
    expect(await page.evaluate(() => location.hash)).not.toContain('codec=');

    // A page whose methods do not include data-parallel hides the controls.
    await page.select('#methodA', 'backprop');
    expect(await page.evaluate(() => location.hash)).toContain('method=backprop');
    expect((await controls()).visible).toBe(false);
    expect(harness.pageErrors).toEqual([]);
    await page.close();
  }, 120_000);

  it('data-parallel with workers=0 or an unknown codec shows a visible error instead of running', async () => {
    const page = await harness.open('dataset=two-moons&method=data-parallel&workers=0&codec=zip&autorun=1');
    const shown = await message(page);
    expect(shown.visible).toBe(true);
    expect(shown.text).toContain("workers must be a whole number from 1 to 8, got '0'");
    expect(shown.text).toContain("codec must be one of none, fixed8, huffman, got 'zip'");
    expect((await panels(page))[0]).toMatchObject({ status: 'error', epoch: 0 });
    await page.close();
  }, 60_000);

  it('an invalid link value (epochs=-5, an unknown method) shows a visible error and the page keeps working', async () => {
    const page = await harness.open('dataset=two-moons&methodA=backprop&methodB=backprop&epochs=-5&autorun=1');
    const shown = await message(page);
    expect(shown.visible).toBe(true);
    expect(shown.text).toContain("epochs must be a whole number from 1 to 100000, got '-5'");
    for (const p of await panels(page)) expect(p).toMatchObject({ status: 'error', epoch: 0 });
    expect((await panels(page))[0].error).toContain('epochs');

    await page.evaluate(() => (location.hash = '#dataset=two-moons&methodA=no-such-method&methodB=backprop&autorun=1'));
    await page.waitForFunction(() => document.querySelector('#message')?.textContent?.includes('no-such-method'));
    expect((await message(page)).text).toMatch(/unknown method 'no-such-method': must be one of backprop, /);
    expect((await panels(page))[0].status).toBe('error');

    // The same page then runs a valid link.
    await page.evaluate(() => (location.hash = '#dataset=xor&method=backprop&epochs=20&backend=cpu&autorun=1'));
    const [fixed] = await settled(page);
    expect(fixed).toMatchObject({ method: 'backprop', status: 'done', epoch: 20, backend: 'cpu' });
    expect((await message(page)).visible).toBe(false);
    expect(harness.pageErrors).toEqual([]);
    await page.close();
  }, 120_000);

  it('a method that diverges shows "diverged at epoch N" while the other panel trains on to the end', async () => {
    const page = await harness.open(
      'dataset=two-spirals&methodA=backprop&methodB=target-space&lr=100&optimizer=sgd&activation=relu&epochs=300&seed=1&backend=wasm&autorun=1',
    );
    const [a, b] = await settled(page);
    expect(a!.status).toBe('error');
    expect(a!.error).toMatch(/^diverged at epoch \d+$/);
    expect(await page.$eval('[data-run-panel] .panel-status', (e) => e.textContent)).toMatch(/diverged at epoch \d+/);
    expect(b).toMatchObject({ method: 'target-space', status: 'done', epoch: 300, error: '' });
    await page.close();
  }, 120_000);

  it('step runs one epoch at a time, pause holds, and clicking the surface adds a point to the link', async () => {
    const page = await harness.open('dataset=two-moons&method=backprop&epochs=50&seed=2&backend=cpu');
    expect((await panels(page))[0]).toMatchObject({ status: 'idle', epoch: 0 });
    await page.click('#step');
    await page.waitForFunction(() => (document.querySelector('[data-run-panel]') as HTMLElement).dataset.epoch === '1');
    await new Promise((r) => setTimeout(r, 500));
    expect((await panels(page))[0]).toMatchObject({ status: 'running', epoch: 1 });
    await page.click('#step');
    await page.waitForFunction(() => (document.querySelector('[data-run-panel]') as HTMLElement).dataset.epoch === '2');
    await page.click('#pause'); // resume
    const [done] = await settled(page);
    expect(done).toMatchObject({ status: 'done', epoch: 50 });

    const canvas = (await page.$('[data-run-panel] canvas.surface'))!;
    const box = (await canvas.boundingBox())!;
    await page.click('input[name="click-class"][value="1"]');
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.25);
    expect(await page.evaluate(() => location.hash)).toMatch(/points=-?[\d.]+:[\d.]+:1/);
    expect((await panels(page))[0]).toMatchObject({ status: 'idle' });
    await page.close();
  }, 120_000);

  it('bad CSV uploads (wrong columns, NaN, 100k rows, empty) get a clear message and the previous data stay', async () => {
    const page = await harness.open('dataset=xor&method=backprop&epochs=3&seed=1&backend=cpu');
    const files: Record<string, string> = {
      'good.csv': `x,y,label\n${Array.from({ length: 40 }, (_, i) => `${Math.cos(i)},${Math.sin(i)},${i % 2}`).join('\n')}\n`,
      'columns.csv': 'x,y,label\n0.1,0.2\n',
      'nan.csv': 'x,y,label\n0.1,0.2,0\nNaN,0.3,1\n',
      'huge.csv': 'x,y,label\n' + '0.5,0.25,1\n'.repeat(100_000),
      'empty.csv': '',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(scratch, name), text);
    const input = (await page.$('input#csv')) as ElementHandle<HTMLInputElement>;
    const upload = async (name: string) => {
      await page.$eval('#message', (e) => (e.textContent = ''));
      await input.uploadFile(join(scratch, name));
      await page.waitForFunction(() => (document.querySelector('#message')?.textContent ?? '') !== '');
      return message(page);
    };
    expect((await upload('good.csv')).text).toContain('Loaded 40 points in 2 classes from good.csv');
    const expected: Record<string, RegExp> = {
      'columns.csv': /line 2 has 2 columns; expected 3: x, y, label/,
      'nan.csv': /line 3: x 'NaN' is not a finite number/,
      'huge.csv': /the file has 100000 rows; the demo takes at most 20000/,
      'empty.csv': /the file has no points/,
    };
    for (const [name, pattern] of Object.entries(expected)) {
      const shown = await upload(name);
      expect(shown.visible, name).toBe(true);
      expect(shown.text, name).toMatch(pattern);
      expect(shown.text, name).toContain('The previous data are kept.');
    }
    await page.click('#run');
    await settled(page);
    // 70% of the 40 uploaded points train: the good upload is still the data, not XOR's 4 points.
    expect(await page.$eval('[data-run-panel]', (e) => (e as HTMLElement).dataset.trainPoints)).toBe('28');
    expect((await panels(page))[0].status).toBe('done');
    await page.close();
  }, 120_000);

  it('exports the run as the JSON bbp run --json writes (same fields)', async () => {
    const downloads = mkdtempSync(join(scratch, 'downloads-'));
    const page = await harness.open('dataset=xor&method=backprop&epochs=2&seed=0&backend=cpu&autorun=1');
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await settled(page);
    await page.click('[data-run-panel] .panel-buttons button');
    const deadline = Date.now() + 20_000;
    while (!readdirSync(downloads).includes('xor-backprop-seed0.json') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const exported = JSON.parse(readFileSync(join(downloads, 'xor-backprop-seed0.json'), 'utf8'));
    await initBackend({ preference: 'wasm', log: false });
    const { result, run } = await runExperiment({ experiment: 'xor', method: 'backprop', epochs: 2, seed: 0, keepBackend: true });
    run.dispose();
    expect(Object.keys(exported).sort()).toEqual(Object.keys(result).sort());
    expect(exported).toMatchObject({ experiment: 'xor', method: 'backprop', seed: 0, epochs: 2, backend: 'cpu', task: 'classification' });
    expect(exported.history).toHaveLength(2);
    await page.close();
  }, 120_000);

  it('requests nothing outside its own origin', () => {
    expect(harness.requests.length).toBeGreaterThan(10);
    const foreign = harness.requests.filter((url) => !url.startsWith(`${harness.server.origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:'));
    expect(foreign).toEqual([]);
    expect(harness.requests.some((url) => url.endsWith('.wasm'))).toBe(true);
  });
});
