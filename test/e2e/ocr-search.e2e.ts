import { ScanLinkSimulator } from '../../electron/scanner/simulator/simulator';
import { textPageWords } from '../../electron/scanner/simulator/text-pages';
import { untilBatch } from '../helpers/station';
import { expect, test } from './support/fixtures';

const PAGE = { widthInches: 8.27, heightInches: 3 };

test.describe('OCR in the console', () => {
  test.use({ stationOptions: { simulators: 1, runWorkers: true } });

  test('a batch started with OCR from the New batch form is found by a word of its text; the hit shows the page with the word highlighted', async ({
    page,
    quire,
  }) => {
    test.setTimeout(240_000);
    const simulator = new ScanLinkSimulator({
      sheets: null,
      serial: 'TEXT-E2E',
      textPages: true,
      pageWidthInches: PAGE.widthInches,
      pageHeightInches: PAGE.heightInches,
    });
    const port = await simulator.start();
    try {
      quire.station.devices.add({
        name: 'text-1',
        host: '127.0.0.1',
        port,
        profile: { dpi: 300, mode: 'gray', bitDepth: 8 },
      });
      await quire.signInAs('operator');
      await page.getByRole('button', { name: 'Queue', exact: true }).click();
      await page.getByRole('button', { name: 'New batch…' }).click();
      const form = page.getByRole('dialog', { name: 'New batch' });
      await form.getByLabel('Batch id', { exact: true }).fill('OCR-E2E');
      await form.getByLabel('Scanner').selectOption('text-1');
      await form.getByLabel('Title', { exact: true }).fill('Letter book');
      await form.getByLabel('Pages', { exact: true }).fill('1');
      await form.getByLabel('Mode').selectOption('gray');
      await form.getByLabel('Recognise text (ALTO per page)').check();
      await form.getByRole('button', { name: 'Start batch' }).click();
      await expect(form.getByTestId('batch-created')).toContainText('OCR-E2E: started');
      expect((quire.station.pipeline.store.manifest('OCR-E2E') as { ocr?: unknown }).ocr).toEqual({
        enabled: true,
        languages: ['eng'],
      });
      await form.getByRole('button', { name: 'Close' }).click();

      expect((await untilBatch(quire.station, 'OCR-E2E')).stage).toBe('completed');
      await quire.station.pipeline.search.indexBatch('OCR-E2E');
      const word = textPageWords({ ...PAGE, dpi: 300, mode: 'gray', bitDepth: 8 }, 1).find((w) =>
        /^[A-Za-z]{7,}$/.test(w),
      )!;
      await page.getByLabel('Batch id or accession number').fill(word);
      await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
      const hits = page.getByRole('list', { name: 'Full-text hits' });
      await expect(hits).toContainText('OCR-E2E');
      await expect(hits.locator('mark').first()).toHaveText(word);
      await hits.getByRole('button', { name: /OCR-E2E/ }).click();
      const viewer = page.getByRole('dialog', { name: 'OCR-E2E, page 1' });
      await expect(viewer.getByRole('img', { name: 'Page 1 of OCR-E2E' })).toBeVisible();
      await expect(viewer.getByTestId('fulltext-highlights').locator('rect').first()).toBeAttached();
    } finally {
      await simulator.stop();
    }
  });
});
