/**
 * The backend options of one SANE device, read from `scanimage -d DEVICE -A`. Each option is
 * one line such as
 *
 *     --mode Lineart|Gray|Color [Gray]
 *     --resolution 50..600dpi (in steps of 1) [150]
 *     -x 0..215.9mm [215.9]
 *     --page-loaded[=(yes|no)] [no] [hardware]
 *
 * followed by indented help text, which is ignored. The text is what scanimage prints for a
 * human, so the parser keeps to its stable shape: name, constraint, then bracketed value and
 * flags at the end of the line.
 */

export type SaneConstraint =
  | { kind: 'list'; values: string[] }
  | { kind: 'range'; min: number; max: number; quant: number }
  | { kind: 'bool' }
  | { kind: 'free' };

export interface SaneOption {
  /** Without dashes: `mode`, `resolution`, `x`. */
  name: string;
  constraint: SaneConstraint;
  /** Unit of a numeric option (`dpi`, `mm`, `pel`, `bit`, `%`, `us`), '' when none. */
  unit: string;
  /** The current value as printed, null when inactive or not readable. */
  value: string | null;
  active: boolean;
  /** The option can be set (not read-only or hardware-selected). */
  settable: boolean;
}

const OPTION_LINE = /^\s+(--?[A-Za-z0-9][\w-]*)(.*)$/;
const UNIT = /(dpi|mm|pel|bit|%|us)$/;

export function parseSaneOptions(text: string): Map<string, SaneOption> {
  const options = new Map<string, SaneOption>();
  for (const raw of text.split('\n')) {
    const match = OPTION_LINE.exec(raw);
    // Option lines are indented by four spaces in scanimage's output; help text by eight.
    if (!match || raw.startsWith('        ')) continue;
    const name = match[1]!.replace(/^--?/, '');
    let rest = match[2]!;
    const bracketed: string[] = [];
    for (;;) {
      const tail = /\s*\[([^[\]]*)\]\s*$/.exec(rest);
      if (!tail || tail[1]!.startsWith('=')) break; // `[=(yes|no)]` is a bool's constraint
      bracketed.unshift(tail[1]!);
      rest = rest.slice(0, tail.index);
    }
    const flags = new Set(bracketed.slice(1));
    const first = bracketed[0] ?? null;
    const inactive = first === 'inactive' || flags.has('inactive');
    if (first !== null && ['inactive', 'read-only', 'hardware', 'advanced'].includes(first)) flags.add(first);
    const value = first === null || flags.has(first) ? null : first;
    const { constraint, unit } = parseConstraint(rest.trim());
    options.set(name, {
      name,
      constraint,
      unit,
      value,
      active: !inactive,
      settable: !flags.has('read-only') && !flags.has('hardware'),
    });
  }
  return options;
}

function parseConstraint(text: string): { constraint: SaneConstraint; unit: string } {
  if (text.startsWith('[=(')) return { constraint: { kind: 'bool' }, unit: '' };
  const spec = text.replace(/,\.\.\.$/, ''); // array options: the element's constraint
  const range = /^(-?[\d.]+)\.\.(-?[\d.]+)([a-z%]*)(?:\s*\(in steps of ([\d.]+)\))?$/.exec(spec);
  if (range)
    return {
      constraint: {
        kind: 'range',
        min: Number(range[1]),
        max: Number(range[2]),
        quant: Number(range[4] ?? 0),
      },
      unit: range[3] ?? '',
    };
  if (spec === '' || spec.startsWith('<')) return { constraint: { kind: 'free' }, unit: '' };
  const values = spec.split('|');
  const last = values[values.length - 1]!;
  // A unit is printed once, after the last value of a numeric list: `75|150|300dpi`.
  const unit = /^-?[\d.]+[a-z%]+$/.test(last) ? (UNIT.exec(last)?.[1] ?? '') : '';
  if (unit) values[values.length - 1] = last.slice(0, -unit.length);
  return { constraint: { kind: 'list', values }, unit };
}

/** Whether `value` is one the option accepts exactly (scanimage would silently round others). */
export function acceptsNumber(option: SaneOption, value: number): boolean {
  const c = option.constraint;
  if (c.kind === 'list') return c.values.some((v) => Number(v) === value);
  if (c.kind === 'range') {
    if (value < c.min || value > c.max) return false;
    return c.quant <= 0 || Math.abs((value - c.min) / c.quant - Math.round((value - c.min) / c.quant)) < 1e-6;
  }
  return c.kind === 'free';
}

export function describeConstraint(option: SaneOption): string {
  const c = option.constraint;
  if (c.kind === 'list') return c.values.join(', ') + (option.unit ? ` ${option.unit}` : '');
  if (c.kind === 'range') return `${c.min}–${c.max}${option.unit ? ` ${option.unit}` : ''}`;
  return c.kind === 'bool' ? 'yes, no' : 'any value';
}
