// What the lab database's CLI commands use, loaded only when one of them runs: PostgreSQL's
// client (and the lab import) would otherwise load with every command.
export { importStation, LabImportRefused } from '../records/lab-import';
export { verifyLabChain } from '../records/postgres/lab-audit-chain';
export { openLabPool } from '../records/postgres/lab-database';
export { migrateLab } from '../records/postgres/lab-migrations';
export { readLabDatabaseStatus } from '../records/postgres/lab-status';
