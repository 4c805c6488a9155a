import { describe, expect, it } from 'vitest';
import { capabilitiesOf, scanArguments } from '../../../electron/scanner/sane/sane-capabilities';
import { parseSaneOptions } from '../../../electron/scanner/sane/sane-options';
import { batchEnd } from '../../../electron/scanner/sane/sane-outcome';

// What `scanimage -A` prints for a Fujitsu fi-series sheet-fed scanner with a flatbed (abridged).
const FUJITSU = `
All options specific to device \`fujitsu:fi-7160:1234':
  Standard:
    --source Flatbed|ADF Front|ADF Back|ADF Duplex [ADF Front]
        Selects the scan source (such as a document-feeder).
    --mode Lineart|Halftone|Gray|Color [Lineart]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --resolution 50..600dpi (in steps of 1) [600]
        Sets the resolution of the scanned image.
  Geometry:
    -l 0..215.872mm (in steps of 0.0211639) [0]
        Top-left x position of scan area.
    -x 0..215.872mm (in steps of 0.0211639) [215.872]
        Width of scan-area.
    -y 0..279.364mm (in steps of 0.0211639) [279.364]
        Height of scan-area.
  Advanced:
    --df-action Default|Continue|Stop [Default]
        Action following double feed error
    --df-thickness[=(yes|no)] [no]
        Enable double feed sensor using thickness.
  Sensors:
    --page-loaded[=(yes|no)] [no] [hardware]
        Paper is loaded
`;

// An Epson-style backend: a list of resolutions, duplex as a feeder mode rather than a source.
const EPSON = `
    --mode Lineart|Gray|Color [Lineart]
    --depth 8|16 [8]
    --resolution 75|150|300|600|1200dpi [75]
    --source Flatbed|Automatic Document Feeder [Flatbed]
    --adf-mode Simplex|Duplex [inactive]
`;

describe('SANE options → capabilities and arguments', () => {
  it('reads a Fujitsu: sources by their strings, lineart as bw, area from the geometry', () => {
    const options = parseSaneOptions(FUJITSU);
    expect(options.get('page-loaded')).toMatchObject({ value: 'no', settable: false });
    expect(options.get('df-thickness')).toMatchObject({ constraint: { kind: 'bool' }, value: 'no' });
    expect(capabilitiesOf(options)).toEqual({
      sources: ['flatbed', 'feeder', 'duplex'],
      modes: ['color', 'gray', 'bw'],
      bitDepths: [1, 8],
      resolutions: [50, 75, 100, 150, 200, 240, 300, 400, 600],
      resolutionRange: { min: 50, max: 600 },
      formats: ['tiff'],
      maxArea: { widthMm: 215.872, heightMm: 279.364 },
    });
    const duplex = scanArguments('fujitsu:fi-7160:1234', options, {
      dpi: 300,
      mode: 'bw',
      bitDepth: 1,
      source: 'duplex',
      driverOptions: { 'df-action': 'Stop', x: '210' },
    });
    expect(duplex).toEqual({
      source: 'duplex',
      args: ['--source=ADF Duplex', '--mode=Lineart', '--resolution=300', '--df-action=Stop', '-x', '210'],
    });
    const feeder = scanArguments('fi', options, { dpi: 600, mode: 'gray', bitDepth: 8, driverOptions: {} });
    expect(feeder).toMatchObject({
      source: 'feeder',
      args: ['--source=ADF Front', '--mode=Gray', '--resolution=600'],
    });
    expect(scanArguments('fi', options, { dpi: 300, mode: 'gray', bitDepth: 16, driverOptions: {} })).toEqual(
      {
        error: 'fi has no 16-bit depth (it offers 1, 8)',
      },
    );
    expect(
      scanArguments('fi', options, {
        dpi: 300,
        mode: 'gray',
        bitDepth: 8,
        driverOptions: { 'df-action': 'Maybe' },
      }),
    ).toEqual({ error: 'backend option "df-action" of fi takes Default, Continue, Stop, not "Maybe"' });
  });

  it('reads an Epson: listed resolutions only, duplex through the feeder mode', () => {
    const options = parseSaneOptions(EPSON);
    const caps = capabilitiesOf(options);
    expect(caps.resolutions).toEqual([75, 150, 300, 600, 1200]);
    expect(caps.resolutionRange).toBeNull();
    expect(caps.sources).toEqual(['flatbed', 'feeder', 'duplex']);
    expect(caps.bitDepths).toEqual([8, 16]);
    expect(scanArguments('ep', options, { dpi: 200, mode: 'color', bitDepth: 8, driverOptions: {} })).toEqual(
      {
        error: 'ep cannot scan at 200 dpi (it offers 75, 150, 300, 600, 1200 dpi)',
      },
    );
    expect(
      scanArguments('ep', options, {
        dpi: 300,
        mode: 'color',
        bitDepth: 16,
        source: 'duplex',
        driverOptions: {},
      }),
    ).toMatchObject({
      args: [
        '--source=Automatic Document Feeder',
        '--adf-mode=Duplex',
        '--mode=Color',
        '--depth=16',
        '--resolution=300',
      ],
    });
  });

  it('maps scanimage exits: an empty feeder after pages is the normal end', () => {
    const stderr = [
      'Scanning page 4',
      'scanimage: sane_start: Document feeder out of documents',
      'Batch terminated, 3 pages scanned',
    ];
    const end = (pagesKept: number, requestedPages: number | null, exitCode = 7) =>
      batchEnd({ device: 'd', exitCode, signal: null, stderrLines: stderr, requestedPages, pagesKept });
    expect(end(3, null)).toMatchObject({ status: 'complete', feederEmpty: true, error: null });
    expect(end(3, 3)).toMatchObject({ status: 'complete' });
    expect(end(3, 5).error).toMatchObject({ code: 'PAGES_MISSING' });
    expect(end(0, null, 0).error).toMatchObject({ code: 'NO_DOCS', transient: true });
    expect(
      batchEnd({
        device: 'd',
        exitCode: 1,
        signal: null,
        stderrLines: ['scanimage: open of device d failed: Invalid argument'],
        requestedPages: null,
        pagesKept: 0,
      }),
    ).toMatchObject({ unreachable: true, error: { code: 'OFFLINE' } });
  });

  it('a feeder sheet started but not delivered is in doubt, unless the end says it never moved', () => {
    const end = (stderrLines: string[], exitCode: number | null, signal: NodeJS.Signals | null = null) =>
      batchEnd({
        device: 'd',
        exitCode,
        signal,
        stderrLines: ['Scanning page 1', 'Scanning page 2', ...stderrLines],
        requestedPages: null,
        pagesKept: 1,
        feederSheetUnfinished: 2,
      });
    const doubt = { status: 'jammed', feederFault: { code: 'SHEET_IN_DOUBT' }, error: { transient: false } };
    expect(end(['scanimage: sane_read: Error during device I/O'], 9)).toMatchObject(doubt);
    expect(end(['scanimage: sane_read: Out of memory'], 10)).toMatchObject(doubt);
    expect(end([], null, 'SIGKILL')).toMatchObject(doubt);
    expect(end(['scanimage: sane_read: Error during device I/O'], 9).error!.message).toMatch(
      /^page 2 was being scanned when d stopped \(I\/O error talking to d: sane_read: Error during device I\/O\)/,
    );
    // Never started, or a fault the operator clears anyway, or the normal end of the feeder.
    expect(end(['scanimage: sane_start: Device busy'], 3)).toMatchObject({ error: { code: 'DEVICE_BUSY' } });
    expect(end(['scanimage: sane_read: Document feeder jammed'], 6)).toMatchObject({
      feederFault: { code: 'ADF_JAM' },
    });
    expect(end(['scanimage: sane_start: Document feeder out of documents'], 7)).toMatchObject({
      status: 'complete',
    });
    // On the flatbed (no sheet reported unfinished) a read error is retried as before.
    expect(
      batchEnd({
        device: 'd',
        exitCode: 9,
        signal: null,
        stderrLines: ['Scanning page 1', 'scanimage: sane_read: Error during device I/O'],
        requestedPages: null,
        pagesKept: 0,
      }),
    ).toMatchObject({ status: 'interrupted', error: { code: 'IO_ERROR', transient: true } });
  });
});
