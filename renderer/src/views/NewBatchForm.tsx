import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import {
  DEFAULT_COLOUR_PROFILE,
  type ScanProfilePreset,
  type WireIssue,
} from '../../../shared/contract/index';
import { describeError, FieldError, FormError, issueFor, issuesOf } from '../components/FormError';
import { ManifestImport } from './ManifestImport';
import { quire } from '../ipc/client';
import { deviceListReceived, useDevice, useDeviceNames } from '../state/devices';
import { useCurrentUser } from '../state/session';
import { DestinationFields, type DestinationChoice } from '../components/DestinationFields';
import { OcrFields, type OcrChoice } from '../components/OcrFields';
import {
  depthChoices,
  dpiProblem,
  modeChoices,
  resolutionChoices,
  sourceChoices,
} from './scanner-capabilities';
import {
  FIELD_PATHS,
  type FormFields,
  inField,
  initialFields,
  localIssues,
  manifestDraft,
  unplaced,
} from './new-batch-manifest';

const CUSTOM = '';

export function NewBatchForm({ onDone, device }: { onDone: () => void; device?: string }) {
  const user = useCurrentUser();
  const devices = useDeviceNames();
  const [form, setForm] = useState<FormFields>(() => initialFields(device));
  const [ocr, setOcr] = useState<OcrChoice>({ enabled: false, languages: ['eng'] });
  const [transferTo, setTransferTo] = useState<DestinationChoice>(null);
  const [presets, setPresets] = useState<ScanProfilePreset[]>([]);
  const [presetName, setPresetName] = useState('');
  const [presetStatus, setPresetStatus] = useState<string | null>(null);
  const [issues, setIssues] = useState<WireIssue[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  // The chosen scanner's own capabilities decide what the form offers.
  const chosenDevice = form.device || devices[0] || '';
  const capabilities = useDevice(chosenDevice)?.capabilities;
  const sources = sourceChoices(capabilities);
  const firstField = useRef<HTMLInputElement>(null);
  // The station's batch-name template: New batch proposes the next name until one is typed.
  const [template, setTemplate] = useState('');
  const [collection, setCollection] = useState('');
  const [batchIdTyped, setBatchIdTyped] = useState(false);
  useEffect(() => {
    if (!template || batchIdTyped) return;
    let live = true;
    quire.call('settings.suggestBatchName', { collection: collection.trim() }).then(
      ({ name }) => live && name && setForm((f) => ({ ...f, batchId: name })),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [template, collection, batchIdTyped, created]);

  // Opens with focus in its first field; gives focus back to whatever opened it.
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    firstField.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  const closeOnEscape = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.stopPropagation();
    onDone();
  };

  useEffect(() => {
    if (devices.length === 0) quire.call('devices.list', {}).then(deviceListReceived, () => {});
  }, [devices.length]);
  useEffect(() => {
    quire.call('settings.get', {}).then(
      (settings) => {
        setPresets(settings.scanProfiles);
        setTemplate(settings.batchNameTemplate);
      },
      (e) => setError(describeError(e)),
    );
  }, []);

  // A changed field drops its old message (and the whole-form ones, which described the old values).
  const set = (key: keyof FormFields) => (e: { target: { value: string } }) => {
    setIssues((list) => list.filter((i) => !inField(i, FIELD_PATHS[key]) && i.path !== '(root)'));
    setError(null);
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
  };
  // The saved profile these settings are, if any: editing a field makes them "custom".
  const chosenPreset =
    presets.find(
      (preset) =>
        String(preset.profile.dpi) === form.dpi.trim() &&
        preset.profile.mode === form.mode &&
        String(preset.profile.bit_depth) === form.bitDepth &&
        preset.profile.colour_profile === form.colourProfile &&
        (preset.metadata_schema === undefined || preset.metadata_schema === form.schema),
    )?.name ?? CUSTOM;
  const choosePreset = (name: string) => {
    const preset = presets.find((p) => p.name === name);
    if (!preset) return;
    setIssues((list) => list.filter((i) => !inField(i, 'scanner_profile')));
    setForm((f) => ({
      ...f,
      dpi: String(preset.profile.dpi),
      mode: preset.profile.mode,
      bitDepth: String(preset.profile.bit_depth),
      colourProfile: preset.profile.colour_profile,
      ...(preset.metadata_schema ? { schema: preset.metadata_schema } : {}),
    }));
    if (preset.ocr) setOcr(preset.ocr);
    if (preset.transfer_to) setTransferTo(preset.transfer_to);
  };
  const draft = () =>
    manifestDraft(form, { device: chosenDevice, sources, operator: user?.username ?? '', ocr, transferTo });

  async function start(manifest: unknown) {
    setError(null);
    try {
      const { batch } = await quire.call('batches.create', { manifest });
      setCreated(
        `${batch.id}: ${batch.stage === 'quarantined' ? 'quarantined — see Quarantine' : 'started'}`,
      );
    } catch (e) {
      // Problems with a field go beside it; the rest is said below the form.
      setIssues(issuesOf(e));
      setError(issuesOf(e).length ? null : describeError(e));
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
        metadata_schema: form.schema as ScanProfilePreset['metadata_schema'],
        ...(ocr.enabled ? { ocr } : {}),
        ...(transferTo ? { transfer_to: transferTo } : {}),
      });
      setPresets(settings.scanProfiles);
      setPresetStatus(`Saved the scan profile "${presetName.trim()}".`);
      setPresetName('');
    } catch (e) {
      setError(describeError(e));
    }
  }

  const problemOf = (key: keyof FormFields) => issueFor(issues, FIELD_PATHS[key]);
  const errorId = (key: keyof FormFields) => `new-batch-${key}-error`;
  /** Props that tie a control to its message; every field, input or select, uses them. */
  const bind = (key: keyof FormFields) => ({
    value: form[key],
    onChange: set(key),
    'aria-invalid': Boolean(problemOf(key)),
    'aria-describedby': problemOf(key) ? errorId(key) : undefined,
  });
  const field = (label: string, key: keyof FormFields, extra: Record<string, unknown> = {}) => (
    <div className="field">
      <label>
        {label}
        <input {...bind(key)} {...extra} ref={key === 'batchId' ? firstField : undefined} />
      </label>
      <FieldError id={errorId(key)} message={problemOf(key)} />
    </div>
  );
  const choice = (label: string, key: keyof FormFields, options: ReadonlyArray<[string, string]>) => (
    <div className="field">
      <label>
        {label}
        <select {...bind(key)}>
          {options.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </label>
      <FieldError id={errorId(key)} message={problemOf(key)} />
    </div>
  );

  return (
    <aside className="drawer" role="dialog" aria-labelledby="new-batch-title" onKeyDown={closeOnEscape}>
      <div className="drawer__head">
        <h2 id="new-batch-title">New batch</h2>
        <button type="button" className="button button--small" onClick={onDone}>
          Close
        </button>
      </div>
      <form className="stack" onSubmit={submit} noValidate>
        {template.includes('{collection}') && (
          <label>
            Collection (for the batch name)
            <input value={collection} onChange={(e) => setCollection(e.target.value)} />
          </label>
        )}
        {field('Batch id', 'batchId', { required: true, onInput: () => setBatchIdTyped(true) })}
        <div className="field">
          <label>
            Scanner
            <select {...bind('device')} value={chosenDevice}>
              {devices.map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
          </label>
          <FieldError id={errorId('device')} message={problemOf('device')} />
        </div>
        {field('Title', 'title', { required: true })}
        {field('Accession numbers (comma-separated)', 'accession')}
        {field('Creator', 'creator')}
        {field('Date', 'date')}
        {field('Rights statement', 'rights')}
        <div className="row">
          {choice('Access', 'tier', [
            ['public', 'public'],
            ['research', 'research'],
            ['restricted', 'restricted'],
          ])}
          {field('Pages', 'pages', { inputMode: 'numeric' })}
          {choice('Metadata', 'schema', [
            ['MODS', 'MODS'],
            ['DublinCore', 'DublinCore'],
            ['LIDO', 'LIDO (museum objects)'],
          ])}
        </div>
        {form.schema === 'LIDO' && (
          <div className="row">
            <label>
              Object type
              <input value={form.workType} onChange={set('workType')} placeholder="Object" />
            </label>
            <label>
              Inscriptions (one per line)
              <textarea value={form.inscriptions} onChange={set('inscriptions')} rows={2} />
            </label>
            <label>
              Credit line
              <input value={form.creditLine} onChange={set('creditLine')} />
            </label>
          </div>
        )}
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
          {field('DPI', 'dpi', { inputMode: 'numeric', list: 'new-batch-resolutions' })}
          <datalist id="new-batch-resolutions">
            {resolutionChoices(capabilities).map((dpi) => (
              <option key={dpi} value={dpi} />
            ))}
          </datalist>
          {choice(
            'Mode',
            'mode',
            modeChoices(capabilities).map((m): [string, string] => [m.value, m.label]),
          )}
          {choice(
            'Bit depth',
            'bitDepth',
            depthChoices(capabilities).map((d): [string, string] => [String(d), String(d)]),
          )}
          {sources.length > 1 &&
            choice('Source', 'source', [
              ['', 'scanner default'],
              ...sources.map((x): [string, string] => [x.value, x.label]),
            ])}
        </div>
        {dpiProblem(capabilities, Number(form.dpi)) && (
          <p className="form-error" role="status">
            {dpiProblem(capabilities, Number(form.dpi))}
          </p>
        )}
        {field('Colour profile', 'colourProfile')}
        <OcrFields value={ocr} onChange={setOcr} problem={issueFor(issues, 'ocr')} />
        <DestinationFields
          value={transferTo}
          onChange={setTransferTo}
          problem={issueFor(issues, 'transfer_to')}
        />
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
        <FormError error={error ?? unplaced(issues)} />
        {created && (
          <p role="status" data-testid="batch-created">
            Batch {created}
          </p>
        )}
        <button type="submit" className="button button--primary">
          Start batch
        </button>
      </form>
      <ManifestImport onStart={start} />
    </aside>
  );
}
