import type { Sshd } from '../../test/helpers/sshd';

/**
 * OpenSSH's own client running a batch file against the bench's loopback sshd, with the test
 * key and no host-key prompt: the yardstick of the transfer benches.
 */
export function sftpBatchArgs(sshd: Sshd, batchFile: string): string[] {
  return [
    '-q',
    '-b',
    batchFile,
    '-i',
    sshd.identityFile,
    '-P',
    String(sshd.port),
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    `${sshd.user}@127.0.0.1`,
  ];
}
