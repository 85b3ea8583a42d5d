import { appendFileSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { SuanliError, verifyTreeHead } from '@suanli/service';
import { type Pin, pinsPath, type Repin, readPins, writePins } from './audit-verify.ts';
import type { ApiClient } from './client.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The trust log: one line per re-pin, beside the pins file, never rewritten. */
export function trustLogPath(env: Env): string {
  return join(dirname(pinsPath(env)), 'trust.log');
}

const short = (h?: { treeSize: number; rootHash: string }) =>
  h ? `${h.treeSize} entries (root ${h.rootHash.slice(0, 16)}…)` : 'none';

export interface TrustReset {
  readonly url: string;
  readonly previous?: Pin;
  readonly pin: Pin;
  readonly repin: Repin;
  readonly lines: readonly string[];
}

/**
 * `suanli audit trust --reset URL`: the one way to trust another key for a log this machine pinned
 * (a server given a fresh data folder at the same address). It fetches the new key and signed head,
 * prints what changes, pins them, keeps the re-pin in the pin's history and appends it to the trust log.
 */
export async function resetTrust(client: ApiClient, env: Env, nowS: number): Promise<TrustReset> {
  const path = pinsPath(env);
  const pins = readPins(path);
  const url = client.baseUrl;
  const previous = pins[url];
  const key = await client.auditKey();
  const head = await client.auditHead();
  if (!verifyTreeHead(head, key.publicKey)) {
    throw new SuanliError('INVALID_FIELD', `${url} serves a tree head its own key does not sign: nothing was pinned`, {
      field: 'url',
    });
  }
  const newHead = { treeSize: head.treeSize, rootHash: head.rootHash };
  const repin: Repin = {
    atS: Math.floor(nowS),
    oldKey: previous?.publicKey ?? '',
    ...(previous?.head ? { oldHead: { treeSize: previous.head.treeSize, rootHash: previous.head.rootHash } } : {}),
    newKey: key.publicKey,
    newHead,
  };
  const pin: Pin = {
    logId: key.logId,
    publicKey: key.publicKey,
    head,
    repins: [...(previous?.repins ?? []), repin],
  };
  pins[url] = pin;
  writePins(path, pins);
  const logPath = trustLogPath(env);
  mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
  const who = env['USER'] ?? safeUser();
  appendFileSync(
    logPath,
    `${new Date(repin.atS * 1000).toISOString()} re-pinned ${url} by ${who}: key ${repin.oldKey || 'none'} -> ${repin.newKey}; ` +
      `head ${previous?.head ? `${previous.head.treeSize}/${previous.head.rootHash}` : 'none'} -> ${head.treeSize}/${head.rootHash}\n`,
  );
  const keyChanged = previous && previous.publicKey !== key.publicKey;
  const lines = [
    previous
      ? `re-pinned ${url}: key ${previous.publicKey} → ${key.publicKey}${keyChanged ? '' : ' (unchanged)'}`
      : `pinned ${url} (no earlier pin): key ${key.publicKey}`,
    `pinned head: ${short(previous?.head)} → ${short(head)}`,
    ...(previous && !keyChanged
      ? [
          'the key did not change: the earlier head is no longer checked, so history before it is trusted as the server now serves it',
        ]
      : []),
    `recorded in ${path} (re-pin ${pin.repins?.length} of this log) and ${logPath}`,
    'run `suanli audit verify` to check the whole log against the new pin',
  ];
  return { url, ...(previous ? { previous } : {}), pin, repin, lines };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** `suanli audit trust`: the logs pinned on this machine. */
export function listTrust(env: Env): { path: string; pins: ReturnType<typeof readPins>; lines: string[] } {
  const path = pinsPath(env);
  const pins = readPins(path);
  const entries = Object.entries(pins);
  const lines =
    entries.length === 0
      ? [`no log pinned yet in ${path}`]
      : [
          `pinned logs in ${path}:`,
          ...entries.map(
            ([url, p]) =>
              `  ${url}  key ${p.publicKey}  head ${short(p.head)}${p.repins?.length ? `  re-pinned ${p.repins.length}×` : ''}`,
          ),
        ];
  return { path, pins, lines };
}
