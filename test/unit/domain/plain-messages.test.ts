import { describe, expect, it } from 'vitest';
import { commands } from '../../../shared/contract/index';
import { BatchManifest } from '../../../shared/domain/manifest';

const messagesOf = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((i) => i.message) ?? [];

describe('validation messages are written for people', () => {
  it('replaces zod wording everywhere the contract parses', () => {
    const parsed = commands['settings.update'].input.safeParse({
      organizationName: '',
      idleLockMinutes: 'ten',
      colour: 1,
    });
    const messages = messagesOf(parsed);
    expect(messages).toEqual(
      expect.arrayContaining([
        'Enter at least one character',
        'Enter a number',
        'Remove "colour": it is an unrecognized field here',
      ]),
    );
    for (const message of messages) expect(message).not.toMatch(/Too small|Invalid input|expected|received/);
  });

  it('explains a bitonal profile with the wrong bit depth in the words of the lab', () => {
    const parsed = BatchManifest.safeParse({
      batch_id: 'B-1',
      device: 'sim-1',
      scanner_profile: { dpi: 300, mode: 'color', bit_depth: 1, colour_profile: 'sRGB' },
      expected_pages: 0,
      checksums: { manifest_sha256: '0'.repeat(64) },
      metadata_schema: 'MODS',
      descriptive: {
        title: ' ',
        accession_numbers: [],
        rights_statement: 'x',
        access_tier: 'public',
      },
      operator: 'omar',
    });
    expect(messagesOf(parsed)).toEqual(
      expect.arrayContaining([
        'Enter a title',
        expect.stringMatching(/^Enter a number of pages from 1 to 10,000/),
      ]),
    );
    const bitonal = BatchManifest.safeParse({
      batch_id: 'B-1',
      device: 'sim-1',
      scanner_profile: { dpi: 300, mode: 'color', bit_depth: 1, colour_profile: 'sRGB' },
      expected_pages: 2,
      checksums: { manifest_sha256: '0'.repeat(64) },
      metadata_schema: 'MODS',
      descriptive: { title: 'T', accession_numbers: [], rights_statement: 'x', access_tier: 'public' },
      operator: 'omar',
    });
    expect(messagesOf(bitonal)).toEqual([
      'Bitonal scans are 1-bit; choose bitonal or a bit depth of 8 or 16',
    ]);
  });
});
