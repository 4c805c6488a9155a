import { z } from 'zod';

/**
 * Every validation message a person can see, in their words: zod's defaults ("Too small:
 * expected string to have >=1 characters") name types and operators, not what to do. Schemas
 * that know better say so themselves (their message wins); everything else reads from here.
 * Installed once for every process that parses the contract (main and the console alike).
 */
type Issue = z.core.$ZodRawIssue;

const count = (n: number | bigint, one: string, many: string) =>
  `${Number(n).toLocaleString('en')} ${Number(n) === 1 ? one : many}`;

const TYPE_WORDS: Record<string, string> = {
  string: 'some text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'yes or no',
  array: 'a list',
  object: 'a group of fields',
  date: 'a date',
};

export function plainMessage(issue: Issue): string | undefined {
  switch (issue.code) {
    case 'too_small': {
      const min = issue.minimum as number;
      if (issue.origin === 'string')
        return min <= 1
          ? 'Enter at least one character'
          : `Use at least ${count(min, 'character', 'characters')}`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return min <= 1 ? 'Add at least one' : `Add at least ${count(min, 'item', 'items')}`;
      return `Use a number of at least ${Number(min).toLocaleString('en')}`;
    }
    case 'too_big': {
      const max = issue.maximum as number;
      if (issue.origin === 'string') return `Use at most ${count(max, 'character', 'characters')}`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `Use at most ${count(max, 'item', 'items')}`;
      return `Use a number no larger than ${Number(max).toLocaleString('en')}`;
    }
    case 'invalid_type': {
      if (issue.input === undefined) return 'This is required';
      if (issue.expected === 'number' && typeof issue.input === 'number') return 'Enter a number';
      if (issue.expected === 'int') return 'Enter a whole number';
      return `Enter ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? `Use ${JSON.stringify(issue.values[0])}`
        : `Choose one of: ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex' ? 'This is not in the expected form' : `Enter a valid ${issue.format}`;
    case 'unrecognized_keys':
      return `Remove ${issue.keys.map((k) => `"${k}"`).join(', ')}: it is an unrecognized field here`;
    case 'not_multiple_of':
      return `Use a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return 'This value is not one of the accepted kinds';
    default:
      return undefined;
  }
}

z.config({ customError: plainMessage });
