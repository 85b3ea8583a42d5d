import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK = join(tmpdir(), 'suanli-slurm-tests.lock');

/** Whether a process of that id is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the one real Slurm for this test file alone, until the returned release is called: test
 * files run in parallel processes, and one that downs a node would fail another's jobs on it. A
 * lock left by a process that died is taken over.
 */
export async function lockSlurm(): Promise<() => void> {
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(LOCK, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = 0;
    try {
      holder = Number(readFileSync(LOCK, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      continue; // released meanwhile
    }
    if (holder > 0 && holder !== process.pid && !alive(holder)) {
      rmSync(LOCK, { force: true });
      continue;
    }
    await new Promise((ok) => setTimeout(ok, 200));
  }
}
