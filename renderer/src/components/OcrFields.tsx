import type { OcrSettings } from '../../../shared/domain/manifest';

export type OcrChoice = OcrSettings;

const LANGUAGES = [
  { code: 'eng', label: 'English' },
  { code: 'fra', label: 'French' },
] as const;

/**
 * The New batch form's OCR choice: on or off, and the languages to read (the ones whose data
 * ships with the app). At least one language stays chosen while OCR is on.
 */
export function OcrFields({
  value,
  onChange,
  problem,
}: {
  value: OcrChoice;
  onChange: (next: OcrChoice) => void;
  problem?: string | undefined;
}) {
  const toggle = (code: OcrChoice['languages'][number], on: boolean) => {
    const languages = on
      ? [...new Set([...value.languages, code])]
      : value.languages.filter((l) => l !== code);
    if (languages.length > 0) onChange({ ...value, languages });
  };
  return (
    <fieldset className="row" aria-describedby={problem ? 'new-batch-ocr-error' : undefined}>
      <legend>Full text (OCR)</legend>
      <label>
        <input
          type="checkbox"
          checked={value.enabled}
          onChange={(e) => onChange({ ...value, enabled: e.target.checked })}
        />
        Recognise text (ALTO per page)
      </label>
      {LANGUAGES.map(({ code, label }) => (
        <label key={code}>
          <input
            type="checkbox"
            disabled={!value.enabled}
            checked={value.languages.includes(code)}
            onChange={(e) => toggle(code, e.target.checked)}
          />
          {label}
        </label>
      ))}
      {problem && (
        <span id="new-batch-ocr-error" className="form-error">
          {problem}
        </span>
      )}
    </fieldset>
  );
}
