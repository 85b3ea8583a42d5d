import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from './audit.ts';
import { HASH_BYTES } from './merkle.ts';

/**
 * A signed tree head: the log says "my first `treeSize` entries have Merkle root `rootHash`" and
 * signs it with its Ed25519 key. Clients pin the log's public key and the last head they saw, and
 * ask for a consistency proof to every newer head: a log that rewrote, dropped or reordered an
 * entry cannot produce one.
 */
export interface TreeHead {
  readonly logId: string;
  readonly treeSize: number;
  /** Hex SHA-256. */
  readonly rootHash: string;
  readonly timestampS: number;
}

export interface SignedTreeHead extends TreeHead {
  /** Base64 Ed25519 signature over the canonical JSON of the head without this field. */
  readonly signature: string;
}

/** The bytes a tree head's signature covers. */
export function treeHeadBytes(head: TreeHead): Buffer {
  const { logId, treeSize, rootHash, timestampS } = head;
  return Buffer.from(canonicalJson({ logId, rootHash, timestampS, treeSize }), 'utf8');
}

/** The log's signing key. */
export interface LogKey {
  readonly privateKey: KeyObject;
  /** Raw 32-byte Ed25519 public key, base64. */
  readonly publicKey: string;
}

export function generateLogKey(): { key: LogKey; pem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { key: logKeyFromPem(pem), pem };
}

export function logKeyFromPem(pem: string): LogKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit log key must be Ed25519');
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: Buffer.from(spki.subarray(spki.length - 32)).toString('base64') };
}

export function signTreeHead(head: TreeHead, key: LogKey): SignedTreeHead {
  return { ...head, signature: sign(null, treeHeadBytes(head), key.privateKey).toString('base64') };
}

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo, before the 32 raw key bytes (RFC 8410). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Verifies an Ed25519 signature with a raw 32-byte public key; false on any malformed input. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false;
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
  try {
    const key = createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]),
      format: 'der',
      type: 'spki',
    });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** Checks a signed tree head against the pinned public key (base64 raw key). */
export function verifyTreeHead(sth: SignedTreeHead, publicKeyBase64: string): boolean {
  if (!(Number.isSafeInteger(sth.treeSize) && sth.treeSize >= 0)) return false;
  if (!/^[0-9a-f]+$/.test(sth.rootHash) || sth.rootHash.length !== HASH_BYTES * 2) return false;
  return verifyEd25519(
    Buffer.from(publicKeyBase64, 'base64'),
    treeHeadBytes(sth),
    Buffer.from(sth.signature ?? '', 'base64'),
  );
}
