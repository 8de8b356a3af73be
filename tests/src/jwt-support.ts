// JWT API keys for authorization tests: an RS256 signing key with its JWK (for a JWKS file the server reads) and
// tokens carrying upstream-style permission claims.
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export function token(key: SigningKey, permissions: string[], options: { expiresIn?: string; sub?: string } = {}) {
  return new SignJWT({ permissions })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setSubject(options.sub ?? 'tester')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(key.privateKey);
}
