import { useEffect, useState, type FormEvent } from 'react';
import {
  DEFAULT_COLOUR_PROFILE,
  type ScanProfilePreset,
  type WireIssue,
} from '../../../shared/contract/index';
import { BatchManifest } from '../../../shared/domain/manifest';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';
import { deviceListReceived, useDeviceNames } from '../state/devices';
import { useCurrentUser } from '../state/session';
import { OcrFields, type OcrChoice } from '../components/OcrFields';

const PLACEHOLDER_SHA = '0'.repeat(64);
const CUSTOM = '';

/** Checks the form with the same schema main uses; the checksum is main's to compute. */
function localIssues(draft: Record<string, unknown>): WireIssue[] {
  const parsed = BatchManifest.safeParse({ ...draft, checksums: { manifest_sha256: PLACEHOLDER_SHA } });
  return parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
}

export function NewBatchForm({ onDone, device }: { onDone: () => void; device?: string }) {
  const user = useCurrentUser();
  const devices = useDeviceNames();
  const [form, setForm] = useState({
    batchId: '',
    device: device ?? '',
    title: '',
    accession: '',
    creator: '',
    date: '',
    rights: 'http://rightsstatements.org/vocab/InC/1.0/',
    tier: 'public',
    pages: '4',
    dpi: '300',
    mode: 'color',
    bitDepth: '8',
    colourProfile: DEFAULT_COLOUR_PROFILE.color as string,
    schema: 'MODS',
  });
  const [ocr, setOcr] = useState<OcrChoice>({ enabled: false, languages: ['eng'] });
  const [presets, setPresets] = useState<ScanProfilePreset[]>([]);
  const [presetName, setPresetName] = useState('');
  const [presetStatus, setPresetStatus] = useState<string | null>(null);
  const [issues, setIssues] = useState<WireIssue[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);

  useEffect(() => {
    if (devices.length === 0) quire.call('devices.list', {}).then(deviceListReceived, () => {});
  }, [devices.length]);
  useEffect(() => {
    quire.call('settings.get', {}).then(
      (settings) => setPresets(settings.scanProfiles),
      (e) => setError(describeError(e)),
    );
  }, []);

  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({
      ...f,
      [key]: e.target.value,
      // A mode chosen by hand brings its usual colour profile; a saved profile brings its own.
      ...(key === 'mode'
        ? {
            colourProfile:
              DEFAULT_COLOUR_PROFILE[e.target.value as keyof typeof DEFAULT_COLOUR_PROFILE] ??
              f.colourProfile,
          }
        : {}),
    }));
  // The saved profile these settings are, if any: editing a field makes them "custom".
  const chosenPreset =
    presets.find(
      ({ profile }) =>
        String(profile.dpi) === form.dpi.trim() &&
        profile.mode === form.mode &&
        String(profile.bit_depth) === form.bitDepth &&
        profile.colour_profile === form.colourProfile,
    )?.name ?? CUSTOM;
  const choosePreset = (name: string) => {
    const preset = presets.find((p) => p.name === name);
    if (!preset) return;
    setForm((f) => ({
      ...f,
      dpi: String(preset.profile.dpi),
      mode: preset.profile.mode,
      bitDepth: String(preset.profile.bit_depth),
      colourProfile: preset.profile.colour_profile,
    }));
    if (preset.ocr) setOcr(preset.ocr);
  };
  const draft = (): Record<string, unknown> => ({
    batch_id: form.batchId.trim(),
    device: form.device || devices[0] || '',
    scanner_profile: {
      dpi: Number(form.dpi),
      mode: form.mode,
      bit_depth: Number(form.bitDepth),
      colour_profile: form.colourProfile,
    },
    expected_pages: form.pages === 'until_empty' ? 'until_empty' : Number(form.pages),
    metadata_schema: form.schema,
    descriptive: {
      title: form.title,
      accession_numbers: form.accession
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
      ...(form.creator ? { creator: form.creator } : {}),
      ...(form.date ? { date: form.date } : {}),
      rights_statement: form.rights,
      access_tier: form.tier,
      embargo_date: null,
    },
    operator: user?.username ?? '',
    ...(ocr.enabled ? { ocr } : {}),
  });

  async function start(manifest: unknown) {
    setError(null);
    try {
      const { batch } = await quire.call('batches.create', { manifest });
      setCreated(
        `${batch.id}: ${batch.stage === 'quarantined' ? 'quarantined — see Quarantine' : 'started'}`,
      );
    } catch (e) {
      setError(describeError(e));
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = localIssues(draft());
    setIssues(found);
    if (found.length === 0) await start(draft());
  }

  /** Supervisors keep the current settings as a named profile (main refuses anyone else). */
  async function savePreset() {
    setPresetStatus(null);
    setError(null);
    const profile = (draft() as { scanner_profile: ScanProfilePreset['profile'] }).scanner_profile;
    try {
      const settings = await quire.call('settings.saveScanProfile', {
        name: presetName,
        profile,
        ...(ocr.enabled ? { ocr } : {}),
      });
      setPresets(settings.scanProfiles);
      setPresetStatus(`Saved the scan profile "${presetName.trim()}".`);
      setPresetName('');
    } catch (e) {
      setError(describeError(e));
    }
  }

  async function importFile(file: File | undefined) {
    if (!file) return;
    try {
      await start(JSON.parse(await file.text()));
    } catch (e) {
      setError(e instanceof SyntaxError ? `${file.name} is not valid JSON: ${e.message}` : describeError(e));
    }
  }

  const issueFor = (path: string) =>
    issues.find((i) => i.path === path || i.path.startsWith(`${path}.`))?.message;
  const field = (
    label: string,
    key: keyof typeof form,
    path: string,
    extra: Record<string, unknown> = {},
  ) => {
    const problem = issueFor(path);
    const errorId = `new-batch-${key}-error`;
    return (
      <div className="field">
        <label>
          {label}
          <input
            value={form[key]}
            onChange={set(key)}
            aria-invalid={Boolean(problem)}
            aria-describedby={problem ? errorId : undefined}
            {...extra}
          />
        </label>
        {problem && (
          <span id={errorId} className="form-error">
            {problem}
          </span>
        )}
      </div>
    );
  };

  return (
    <aside className="drawer" role="dialog" aria-labelledby="new-batch-title">
      <div className="drawer__head">
        <h2 id="new-batch-title">New batch</h2>
        <button type="button" className="button button--small" onClick={onDone}>
          Close
        </button>
      </div>
      <label>
        Import a manifest (JSON)
        <input
          type="file"
          accept="application/json,.json"
          onChange={(e) => void importFile(e.target.files?.[0])}
        />
      </label>
      <form className="stack" onSubmit={submit} noValidate>
        {field('Batch id', 'batchId', 'batch_id', { required: true })}
        <label>
          Scanner
          <select value={form.device || devices[0] || ''} onChange={set('device')}>
            {devices.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        {field('Title', 'title', 'descriptive.title', { required: true })}
        {field('Accession numbers (comma-separated)', 'accession', 'descriptive.accession_numbers')}
        {field('Creator', 'creator', 'descriptive.creator')}
        {field('Date', 'date', 'descriptive.date')}
        {field('Rights statement', 'rights', 'descriptive.rights_statement')}
        <div className="row">
          <label>
            Access
            <select value={form.tier} onChange={set('tier')}>
              <option value="public">public</option>
              <option value="research">research</option>
              <option value="restricted">restricted</option>
            </select>
          </label>
          {field('Pages', 'pages', 'expected_pages', { inputMode: 'numeric' })}
          <label>
            Metadata
            <select value={form.schema} onChange={set('schema')}>
              <option>MODS</option>
              <option>DublinCore</option>
            </select>
          </label>
        </div>
        <label>
          Scan profile
          <select value={chosenPreset} onChange={(e) => choosePreset(e.target.value)}>
            <option value={CUSTOM}>Custom</option>
            {presets.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <div className="row">
          {field('DPI', 'dpi', 'scanner_profile.dpi', { inputMode: 'numeric' })}
          <label>
            Mode
            <select value={form.mode} onChange={set('mode')}>
              <option value="color">colour</option>
              <option value="gray">greyscale</option>
              <option value="bw">bitonal</option>
            </select>
          </label>
          <label>
            Bit depth
            <select value={form.bitDepth} onChange={set('bitDepth')}>
              <option>1</option>
              <option>8</option>
              <option>16</option>
            </select>
          </label>
        </div>
        {field('Colour profile', 'colourProfile', 'scanner_profile.colour_profile')}
        <OcrFields value={ocr} onChange={setOcr} problem={issueFor('ocr')} />
        {user?.role === 'supervisor' && (
          <div className="row">
            <label>
              Save these scan settings as
              <input
                value={presetName}
                onChange={(e) => setPresetName(e.target.value)}
                placeholder="profile name"
              />
            </label>
            <button
              type="button"
              className="button"
              disabled={presetName.trim() === ''}
              onClick={() => void savePreset()}
            >
              Save profile
            </button>
          </div>
        )}
        {presetStatus && <p role="status">{presetStatus}</p>}
        {issues.some((i) => i.path === '(root)' || i.path === 'scanner_profile.bit_depth') && (
          <p className="form-error" role="alert">
            {issues.map((i) => `${i.path}: ${i.message}`).join('; ')}
          </p>
        )}
        <FormError error={error} />
        {created && (
          <p role="status" data-testid="batch-created">
            Batch {created}
          </p>
        )}
        <button type="submit" className="button button--primary">
          Start batch
        </button>
      </form>
    </aside>
  );
}
