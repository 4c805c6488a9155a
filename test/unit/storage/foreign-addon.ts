import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A real compiled addon that declares another NODE_MODULE_VERSION, as an Electron build of
 * better-sqlite3 does when Node loads it (or Node's when Electron does). It fills in Node's
 * `node_module` record by hand, so it needs only a C compiler, no headers and no network; Node's
 * loader refuses it with its genuine "compiled against a different Node.js version" error.
 */
const SOURCE = (moduleVersion: number) => `
struct node_module {
  int nm_version; unsigned int nm_flags; void *nm_dso_handle; const char *nm_filename;
  void *nm_register_func; void *nm_context_register_func; const char *nm_modname;
  void *nm_priv; struct node_module *nm_link;
};
extern void node_module_register(void *);
static void context_init(void) {}
static struct node_module record = {
  ${moduleVersion}, 0, 0, "foreign.c", 0, (void *)context_init, "foreign_abi", 0, 0
};
__attribute__((constructor)) static void register_record(void) { node_module_register(&record); }
`;

/** Why the fixture cannot be built here, or null (Linux with `cc` on PATH). */
export function foreignAddonUnavailable(): string | null {
  if (process.platform !== 'linux')
    return `the foreign-ABI fixture is built for Linux only (this is ${process.platform})`;
  if (spawnSync('cc', ['--version']).status !== 0) return 'no C compiler `cc` (apt-get install -y gcc)';
  return null;
}

export function buildForeignAddon(dir: string, moduleVersion: number, name = 'foreign.node'): string {
  const source = path.join(dir, `${name}.c`);
  const output = path.join(dir, name);
  writeFileSync(source, SOURCE(moduleVersion));
  const result = spawnSync('cc', ['-shared', '-fPIC', '-o', output, source], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cc failed: ${result.stderr}`);
  return output;
}
