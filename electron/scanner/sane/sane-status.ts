/**
 * SANE's status codes (sane.h) and the messages sane_strstatus() gives for them. scanimage exits
 * with the status that ended the scan, but also exits 1 for its own failures (an unknown
 * option, a device it cannot open), which collides with SANE_STATUS_UNSUPPORTED: the message it
 * printed last on stderr decides.
 */
export const SaneStatus = {
  GOOD: 0,
  UNSUPPORTED: 1,
  CANCELLED: 2,
  DEVICE_BUSY: 3,
  INVAL: 4,
  EOF: 5,
  JAMMED: 6,
  NO_DOCS: 7,
  COVER_OPEN: 8,
  IO_ERROR: 9,
  NO_MEM: 10,
  ACCESS_DENIED: 11,
  WARMING_UP: 12,
  HW_LOCKED: 13,
} as const;
export type SaneStatusName = keyof typeof SaneStatus;

const STATUS_MESSAGES: Record<SaneStatusName, string> = {
  GOOD: 'Success',
  UNSUPPORTED: 'Operation not supported',
  CANCELLED: 'Operation was cancelled',
  DEVICE_BUSY: 'Device busy',
  INVAL: 'Invalid argument',
  EOF: 'End of file reached',
  JAMMED: 'Document feeder jammed',
  NO_DOCS: 'Document feeder out of documents',
  COVER_OPEN: 'Scanner cover is open',
  IO_ERROR: 'Error during device I/O',
  NO_MEM: 'Out of memory',
  ACCESS_DENIED: 'Access to resource has been denied',
  WARMING_UP: 'Lamp not ready, please retry',
  HW_LOCKED: 'Scanner mechanism locked for transport',
};

const NAMES_BY_CODE = new Map<number, SaneStatusName>(
  Object.entries(SaneStatus).map(([name, code]) => [code, name as SaneStatusName]),
);

/** What scanimage said went wrong, read from its stderr. */
export type ScanimageFailure =
  | { kind: 'status'; status: SaneStatusName; line: string }
  /** `open of device X failed: …`: absent, unplugged, or held by another program. */
  | { kind: 'open-failed'; status: SaneStatusName | null; line: string }
  /** An option the backend does not know or refused (`unrecognized option`, `setting of option … failed`). */
  | { kind: 'bad-option'; line: string }
  | { kind: 'other'; line: string };

/** The status a message of sane_strstatus() names, if it is one. */
export function statusOfMessage(message: string): SaneStatusName | null {
  const text = message.trim().replace(/\.$/, '');
  for (const [name, known] of Object.entries(STATUS_MESSAGES))
    if (text.endsWith(known)) return name as SaneStatusName;
  // Builds differ in spelling: "Operation was canceled" as well as "cancelled".
  if (text.endsWith('Operation was canceled')) return 'CANCELLED';
  return null;
}

export function statusOfExitCode(code: number): SaneStatusName | null {
  return NAMES_BY_CODE.get(code) ?? null;
}

/** The failure scanimage's last `scanimage: …` line on stderr reports, if any. */
export function readScanimageFailure(stderrLines: readonly string[]): ScanimageFailure | null {
  for (let i = stderrLines.length - 1; i >= 0; i--) {
    const line = stderrLines[i]!.trim();
    if (!line.startsWith('scanimage:')) continue;
    if (/open of device .* failed/.test(line))
      return { kind: 'open-failed', status: statusOfMessage(line), line };
    if (/unrecognized option|setting of option .* failed|bad option value|option .* requires/i.test(line))
      return { kind: 'bad-option', line };
    const status = statusOfMessage(line);
    if (status) return { kind: 'status', status, line };
    return { kind: 'other', line };
  }
  return null;
}
