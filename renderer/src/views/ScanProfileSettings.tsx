import { useEffect, useState } from 'react';
import type { ScanProfilePreset } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';
import { useIsSupervisor } from '../state/session';

const MODE_LABELS = { color: 'colour', gray: 'greyscale', bw: 'bitonal' } as const;

/** The saved scan profiles; supervisors delete them here and save new ones from the New batch form. */
export function ScanProfileSettings() {
  const supervisor = useIsSupervisor();
  const [profiles, setProfiles] = useState<ScanProfilePreset[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    quire.call('settings.get', {}).then(
      (s) => setProfiles(s.scanProfiles),
      (e) => setError(describeError(e)),
    );
  }, []);

  async function remove(name: string) {
    setError(null);
    try {
      setProfiles((await quire.call('settings.deleteScanProfile', { name })).scanProfiles);
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <section aria-labelledby="scan-profiles-title" className="stack">
      <h2 id="scan-profiles-title">Scan profiles</h2>
      <p className="muted">
        Offered in the New batch form.{' '}
        {supervisor ? 'Save new ones from that form.' : 'Supervisors manage them.'}
      </p>
      <ul className="stack plain" aria-label="Saved scan profiles">
        {(profiles ?? []).map(({ name, profile, metadata_schema, ocr, transfer_to }) => (
          <li key={name} className="row">
            <span>
              <strong>{name}</strong> — {profile.dpi} dpi, {MODE_LABELS[profile.mode]}, {profile.bit_depth}
              -bit, {profile.colour_profile}
              {metadata_schema ? `, ${metadata_schema}` : ''}
              {ocr?.enabled ? `, OCR (${ocr.languages.join(', ')})` : ''}
              {transfer_to ? `, sent to ${transfer_to.join(', ') || 'no destination'}` : ''}
            </span>
            {supervisor && (
              <button
                type="button"
                className="button button--small"
                aria-label={`Delete the scan profile ${name}`}
                onClick={() => void remove(name)}
              >
                Delete
              </button>
            )}
          </li>
        ))}
      </ul>
      <FormError error={error} />
    </section>
  );
}
