import type pg from 'pg';
import type { StoredAccount } from '../account-store';
import { inTransaction } from './lab-database';

export class LabAccountImportConflict extends Error {
  override readonly name = 'LabAccountImportConflict';
}

export interface LabAccountImport {
  /** Accounts the station had. */
  station: number;
  imported: number;
  /** Already in the lab exactly as the station has them (an import run again). */
  alreadyThere: number;
}

const same = (lab: Record<string, unknown>, a: StoredAccount) =>
  lab.username === a.username &&
  lab.display_name === a.displayName &&
  lab.role === a.role &&
  lab.password_hash === a.passwordHash &&
  lab.disabled === a.disabled &&
  (lab.created_at as Date).toISOString() === a.createdAt;

/**
 * Moves a single station's people into the lab, keeping their ids (past audit events and
 * decisions name them), roles, password hashes and disabled flags: they sign in anywhere with
 * the password they had. All or nothing, in one transaction: a username the lab already gives
 * to someone else (two stations each had their own "j.smith"), or an id the lab holds with
 * different content, refuses the whole import, naming them, and a person must decide. Running it
 * again changes nothing. Sessions are not moved: they live in the station's process.
 */
export async function importStationAccounts(
  pool: pg.Pool,
  accounts: readonly StoredAccount[],
): Promise<LabAccountImport> {
  return inTransaction(pool, async (client) => {
    // One import at a time, and no account added meanwhile (this lock waits for and blocks inserts).
    await client.query('LOCK TABLE lab_accounts IN SHARE ROW EXCLUSIVE MODE');
    const { rows } = await client.query<Record<string, unknown>>(
      'SELECT * FROM lab_accounts WHERE id = ANY($1::text[]) OR username = ANY($2::text[])',
      [accounts.map((a) => a.id), accounts.map((a) => a.username)],
    );
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    const byName = new Map(rows.map((r) => [r.username as string, r]));
    const problems: string[] = [];
    const fresh: StoredAccount[] = [];
    for (const a of accounts) {
      const held = byId.get(a.id);
      const named = byName.get(a.username);
      if (held && !same(held, a))
        problems.push(`${a.username}: the lab holds this person (${a.id}) with other details`);
      else if (!held && named)
        problems.push(`${a.username}: the lab already has someone of that name (${String(named.id)})`);
      else if (!held) fresh.push(a);
    }
    if (problems.length > 0)
      throw new LabAccountImportConflict(
        `the station's accounts clash with the lab's: ${problems.join('; ')}`,
      );
    for (const a of fresh)
      await client.query(
        `INSERT INTO lab_accounts (id, username, display_name, role, password_hash, disabled, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [a.id, a.username, a.displayName, a.role, a.passwordHash, a.disabled, a.createdAt],
      );
    // Verified before it counts: every account of the station is in the lab exactly as it was.
    const check = await client.query<Record<string, unknown>>(
      'SELECT * FROM lab_accounts WHERE id = ANY($1::text[])',
      [accounts.map((a) => a.id)],
    );
    const landed = new Map(check.rows.map((r) => [r.id as string, r]));
    const missing = accounts.filter((a) => !landed.has(a.id) || !same(landed.get(a.id)!, a));
    if (missing.length > 0)
      throw new LabAccountImportConflict(
        `after the import the lab does not hold ${missing.map((a) => a.username).join(', ')} as the station does`,
      );
    return { station: accounts.length, imported: fresh.length, alreadyThere: accounts.length - fresh.length };
  });
}
