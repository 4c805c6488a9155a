import { useState } from 'react';
import type { WireIssue } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';

interface Preview {
  fileName: string;
  manifest: unknown;
  issues: WireIssue[];
}

const text = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '—';

/** The facts a person checks before a manifest from a file starts a batch. */
function describe(manifest: unknown) {
  const m = (manifest ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const profile = m.scanner_profile ?? {};
  const pages = (m as Record<string, unknown>).expected_pages;
  return {
    title: text(m.descriptive?.title),
    batchId: text((m as Record<string, unknown>).batch_id),
    pages: pages === 'until_empty' ? 'until the feeder is empty' : text(pages),
    scanner: text((m as Record<string, unknown>).device),
    profile: `${text(profile.dpi)} dpi, ${text(profile.mode)}, ${text(profile.bit_depth)}-bit, ${text(profile.colour_profile)}`,
  };
}

/**
 * Import a manifest (JSON): nothing starts until the person has seen what the file says and
 * what main finds wrong with it, and chosen to start it.
 */
export function ManifestImport({ onStart }: { onStart: (manifest: unknown) => Promise<void> }) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function read(file: File | undefined) {
    setError(null);
    setPreview(null);
    if (!file) return;
    let manifest: unknown;
    try {
      manifest = JSON.parse(await file.text());
    } catch (e) {
      setError(`${file.name} is not valid JSON: ${(e as Error).message}`);
      return;
    }
    try {
      const checked = await quire.call('batches.validate', { manifest });
      setPreview({ fileName: file.name, manifest, issues: checked.issues });
    } catch (e) {
      setError(describeError(e));
    }
  }

  const facts = preview ? describe(preview.manifest) : null;
  return (
    <div className="stack">
      <label>
        Import a manifest (JSON)
        <input type="file" accept="application/json,.json" onChange={(e) => void read(e.target.files?.[0])} />
      </label>
      <FormError error={error} />
      {preview && facts && (
        <section
          aria-labelledby="import-preview-title"
          className="import-preview"
          data-testid="import-preview"
        >
          <h3 id="import-preview-title">Before it starts: {preview.fileName}</h3>
          <dl className="facts">
            <dt>Title</dt>
            <dd>{facts.title}</dd>
            <dt>Batch id</dt>
            <dd>{facts.batchId}</dd>
            <dt>Pages</dt>
            <dd>{facts.pages}</dd>
            <dt>Scanner</dt>
            <dd>{facts.scanner}</dd>
            <dt>Profile</dt>
            <dd>{facts.profile}</dd>
          </dl>
          {preview.issues.length > 0 ? (
            <>
              <p className="form-error" role="alert">
                {preview.issues.length === 1 ? '1 problem' : `${preview.issues.length} problems`} to fix in
                the file first:
              </p>
              <ul aria-label="Problems">
                {preview.issues.map((i) => (
                  <li key={`${i.path}:${i.message}`}>
                    <code>{i.path}</code>: {i.message}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p role="status">No problems found.</p>
          )}
          <div className="row">
            <button
              type="button"
              className="button button--primary"
              disabled={preview.issues.length > 0}
              onClick={() => void onStart(preview.manifest).then(() => setPreview(null))}
            >
              Start this batch
            </button>
            <button type="button" className="button" onClick={() => setPreview(null)}>
              Discard
            </button>
          </div>
        </section>
      )}
    </div>
  );
}
