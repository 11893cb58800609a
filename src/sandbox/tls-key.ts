// The key for an HTTPS listener. IAM never hands a private key back (GetServerCertificate returns
// the body and chain only), so the data plane takes it from the stack's certificate files: the
// private.pem whose public key is the certificate's.
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** The certificate (and chain) followed by its key, as HAProxy's `crt` wants it; null when no file holds the key. */
export async function pemWithKey(certificatePem: string, keyFiles: readonly string[]): Promise<string | null> {
  let wanted: Buffer;
  try {
    wanted = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  } catch {
    return null;
  }
  for (const file of keyFiles) {
    const pem = await readFile(file, 'utf8').catch(() => null);
    if (pem === null) continue;
    try {
      const spki = createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'der' });
      if (spki.equals(wanted)) return `${certificatePem.trim()}\n${pem.trim()}\n`;
    } catch {
      // not a usable key: try the next file
    }
  }
  return null;
}
