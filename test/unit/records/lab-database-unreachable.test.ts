import { describe, expect, it } from 'vitest';
import { isLabDatabaseUnreachable } from '../../../electron/records/postgres/lab-database';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('telling a lab database that did not answer from one that refused the query', () => {
  it('counts refused, dropped and timed-out connections, and a server not serving, as no answer', () => {
    expect(isLabDatabaseUnreachable(withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'))).toBe(
      true,
    );
    expect(isLabDatabaseUnreachable(withCode('ENOTFOUND'))).toBe(true);
    expect(isLabDatabaseUnreachable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isLabDatabaseUnreachable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(
      isLabDatabaseUnreachable(withCode('57P01', 'terminating connection due to administrator command')),
    ).toBe(true);
    expect(isLabDatabaseUnreachable(withCode('57P03', 'the database system is starting up'))).toBe(true);
    expect(isLabDatabaseUnreachable(withCode('08006', 'connection failure'))).toBe(true);
  });

  it('does not count an answer: a missing table, a constraint, a bad query, or no error at all', () => {
    expect(isLabDatabaseUnreachable(withCode('42P01', 'relation "lab_catalog_records" does not exist'))).toBe(
      false,
    );
    expect(isLabDatabaseUnreachable(withCode('23505', 'duplicate key value'))).toBe(false);
    expect(isLabDatabaseUnreachable(new Error('syntax error at or near "SELEC"'))).toBe(false);
    expect(isLabDatabaseUnreachable(null)).toBe(false);
    expect(isLabDatabaseUnreachable('ECONNREFUSED')).toBe(false);
  });
});
