import { describe, expect, it } from 'vitest';
import { generateLogKey, logKeyFromPem, signTreeHead, verifyEd25519, verifyTreeHead } from './tree-head.ts';

const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

// RFC 8032 §7.1, tests 1 and 2.
const RFC8032 = [
  {
    pub: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    msg: '',
    sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    pub: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    msg: '72',
    sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
];

describe('signed tree heads', () => {
  it('verifies the RFC 8032 Ed25519 vectors and rejects any change to key, message or signature', () => {
    for (const v of RFC8032) {
      const [pub, msg, sig] = [unhex(v.pub), unhex(v.msg), unhex(v.sig)];
      expect(verifyEd25519(pub, msg, sig)).toBe(true);
      const badSig = Uint8Array.from(sig);
      badSig[0] = (badSig[0] as number) ^ 1;
      expect(verifyEd25519(pub, msg, badSig)).toBe(false);
      expect(verifyEd25519(pub, Uint8Array.of(...msg, 0), sig)).toBe(false);
      const badPub = Uint8Array.from(pub);
      badPub[31] = (badPub[31] as number) ^ 1;
      expect(verifyEd25519(badPub, msg, sig)).toBe(false);
      expect(verifyEd25519(pub.subarray(0, 31), msg, sig)).toBe(false);
      expect(verifyEd25519(pub, msg, sig.subarray(0, 63))).toBe(false);
    }
  });

  it('signs a head that verifies with the pinned key only, and not once changed', () => {
    const { key, pem } = generateLogKey();
    expect(logKeyFromPem(pem).publicKey).toBe(key.publicKey);
    const head = { logId: 'suanli-test', treeSize: 8, rootHash: 'ab'.repeat(32), timestampS: 1_795_392_000 };
    const sth = signTreeHead(head, key);
    expect(verifyTreeHead(sth, key.publicKey)).toBe(true);
    expect(verifyTreeHead({ ...sth, treeSize: 7 }, key.publicKey)).toBe(false);
    expect(verifyTreeHead({ ...sth, rootHash: 'cd'.repeat(32) }, key.publicKey)).toBe(false);
    expect(verifyTreeHead({ ...sth, timestampS: sth.timestampS + 1 }, key.publicKey)).toBe(false);
    expect(verifyTreeHead(sth, generateLogKey().key.publicKey)).toBe(false);
    expect(verifyTreeHead({ ...sth, signature: '' }, key.publicKey)).toBe(false);
  });
});
