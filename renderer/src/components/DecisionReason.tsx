/**
 * The reason (chosen from the station's list, required) and free note that every quarantine
 * decision carries into the audit log, whether one batch is decided or many.
 */
export function DecisionReason({
  reasons,
  reason,
  onReason,
  note,
  onNote,
  reasonLabel = 'Reason',
  noteRows = 3,
}: {
  reasons: readonly string[];
  reason: string;
  onReason: (reason: string) => void;
  note: string;
  onNote: (note: string) => void;
  reasonLabel?: string;
  noteRows?: number;
}) {
  return (
    <>
      <label>
        {reasonLabel}
        <select value={reason} onChange={(e) => onReason(e.target.value)} required>
          <option value="">Choose a reason…</option>
          {reasons.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label>
        Note
        <textarea value={note} onChange={(e) => onNote(e.target.value)} rows={noteRows} maxLength={2000} />
      </label>
    </>
  );
}
