import { describe, expect, it } from 'vitest';
import { parseCapabilities, toDeviceCapabilities } from '../../../electron/scanner/escl/capabilities';
import { jobPathFromLocation } from '../../../electron/scanner/escl/location';
import { retryAfterMs } from '../../../electron/scanner/escl/backoff';
import { adfCondition, findJob, parseStatus } from '../../../electron/scanner/escl/scanner-status';
import { sniffFormat } from '../../../electron/scanner/escl/sniff';

const PWG = 'http://www.pwg.org/schemas/2010/12/sm';
const SCAN = 'http://schemas.hp.com/imaging/escl/2011/05/03';

/** Devices pick their own prefixes: these documents use a default namespace and unusual ones. */
const CAPABILITIES = `<?xml version="1.0"?>
<ScannerCapabilities xmlns="${SCAN}" xmlns:p="${PWG}" xmlns:scan="urn:not-escl">
  <p:Version>2.6</p:Version>
  <p:MakeAndModel>Brother MFC-L2750DW</p:MakeAndModel>
  <p:SerialNumber>E78901</p:SerialNumber>
  <scan:SerialNumber>WRONG-NAMESPACE</scan:SerialNumber>
  <Adf>
    <AdfSimplexInputCaps>
      <MaxWidth>2550</MaxWidth><MaxHeight>4200</MaxHeight>
      <SettingProfiles><SettingProfile>
        <ColorModes><ColorMode>Grayscale8</ColorMode><ColorMode>RGB24</ColorMode></ColorModes>
        <DocumentFormats><p:DocumentFormat>image/jpeg</p:DocumentFormat><DocumentFormatExt>image/png</DocumentFormatExt></DocumentFormats>
        <SupportedResolutions><ResolutionRange>
          <XResolutionRange><Min>100</Min><Max>600</Max><Normal>300</Normal><Step>50</Step></XResolutionRange>
          <YResolutionRange><Min>100</Min><Max>600</Max><Normal>300</Normal><Step>50</Step></YResolutionRange>
        </ResolutionRange></SupportedResolutions>
      </SettingProfile></SettingProfiles>
    </AdfSimplexInputCaps>
  </Adf>
</ScannerCapabilities>`;

describe('eSCL XML, read by namespace URI', () => {
  it('reads capabilities whatever the prefixes, ignoring look-alikes in other namespaces', () => {
    const caps = parseCapabilities(CAPABILITIES);
    expect(caps).toMatchObject({ make: 'Brother', model: 'MFC-L2750DW', serial: 'E78901' });
    expect(toDeviceCapabilities(caps)).toEqual({
      sources: ['feeder'],
      modes: ['color', 'gray'],
      bitDepths: [8],
      resolutions: [100, 150, 200, 300, 400, 600],
      formats: ['png', 'jpeg'],
      maxArea: { widthMm: 215.9, heightMm: 355.6 },
    });
  });

  it('refuses a document whose root is in the wrong namespace, naming it', () => {
    expect(() => parseCapabilities(`<x:ScannerCapabilities xmlns:x="urn:other"/>`)).toThrow(/urn:other/);
    expect(() => parseStatus('<not xml')).toThrow(/does not parse/);
  });

  it("reads ScannerStatus, with HP's ScannedAdf spelling and job URIs of any form", () => {
    const status = parseStatus(`<s:ScannerStatus xmlns:s="${SCAN}" xmlns:q="${PWG}">
      <q:State>Processing</q:State><s:AdfState>ScannedAdfLoaded</s:AdfState>
      <s:Jobs><s:JobInfo><q:JobUri>http://bogus/eSCL/ScanJobs/abc</q:JobUri><q:JobState>Processing</q:JobState>
      <q:JobStateReasons><q:JobStateReason>JobScanning</q:JobStateReason></q:JobStateReasons></s:JobInfo></s:Jobs>
    </s:ScannerStatus>`);
    expect(status).toMatchObject({ state: 'Processing', adf: 'loaded', adfState: 'ScannedAdfLoaded' });
    expect(findJob(status, '/eSCL/ScanJobs/abc')).toMatchObject({
      state: 'Processing',
      reasons: ['JobScanning'],
    });
    expect(findJob(status, '/eSCL/ScanJobs/other')).toBeNull();
    expect(
      ['ScannerAdfJam', 'ScannedAdfMispick', 'ScannerAdfEmpty', 'ScannerAdfHatchOpen'].map(adfCondition),
    ).toEqual(['jam', 'jam', 'empty', 'open']);
  });

  it('keeps only the path of a Location, however broken its host', () => {
    expect(jobPathFromLocation('http://fe80::1%eth0:80/eSCL/ScanJobs/7/', '/eSCL')).toBe('/eSCL/ScanJobs/7');
    expect(jobPathFromLocation('https://[::1]:443/eSCL/ScanJobs/8?x#y', '/eSCL')).toBe('/eSCL/ScanJobs/8');
    expect(jobPathFromLocation('ScanJobs/9', '/eSCL')).toBe('/eSCL/ScanJobs/9');
  });

  it('reads Retry-After in seconds or as a date, and tells formats by their bytes', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeNull();
    expect(sniffFormat(Buffer.from('II*\0xxxx', 'latin1'))).toBe('tiff');
    expect(sniffFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('png');
    expect(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffFormat(Buffer.from('%PDF-1.7'))).toBe('pdf');
    expect(sniffFormat(Buffer.from('<html>'))).toBeNull();
  });
});
