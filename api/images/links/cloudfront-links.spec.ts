import { createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CloudFrontLinks, purgePathOf } from './cloudfront-links';

const ID = '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f';
const OTHER = '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e90';
const settings = {
  domainName: 'd111111abcdef8.cloudfront.net',
  distributionId: 'E2QWRUHEXAMPLE',
  keyPairId: 'K2JCJMDEHXQW5F',
};
const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

/**
 * CloudFront's own check of a canned-policy signed URL, written from its documentation with node:crypto only:
 * the policy is rebuilt from the URL and the expiry, and the signature (CloudFront's URL-safe base64 of an RSA-SHA1
 * signature) verified with the public key of the named key pair.
 */
function cloudFrontAccepts(signedUrl: string, nowSeconds: number, keys: Record<string, string>): boolean {
  const url = new URL(signedUrl);
  const expires = url.searchParams.get('Expires');
  const signature = url.searchParams.get('Signature');
  const key = keys[url.searchParams.get('Key-Pair-Id') ?? ''];
  if (!expires || !signature || !key || url.searchParams.has('Policy')) return false;
  for (const name of ['Expires', 'Signature', 'Key-Pair-Id']) url.searchParams.delete(name);
  const resource = url.toString();
  const policy = `{"Statement":[{"Resource":"${resource}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
  const raw = Buffer.from(signature.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
  const genuine = createVerify('RSA-SHA1').update(policy).verify(key, raw);
  return genuine && nowSeconds < Number(expires);
}

describe(CloudFrontLinks.name, () => {
  const now = Date.UTC(2026, 11, 2, 18, 0, 0);
  type Invalidation = {
    input: { DistributionId?: string; InvalidationBatch?: { CallerReference?: string; Paths?: unknown } };
  };
  const sent: Invalidation[] = [];
  const client = { send: async (command: Invalidation) => void sent.push(command) };
  const links = new CloudFrontLinks(
    settings,
    privateKey,
    3600,
    client as unknown as ConstructorParameters<typeof CloudFrontLinks>[3],
    () => now,
  );
  const keys = { [settings.keyPairId]: publicKey };
  const nowSeconds = now / 1000;

  it('signs the original at https://<domain>/<id> with a canned policy CloudFront accepts', () => {
    const link = links.linkTo(ID, { kind: 'original' });
    const url = new URL(link);
    expect(`${url.origin}${url.pathname}`).toBe(`https://${settings.domainName}/${ID}`);
    expect([...url.searchParams.keys()].sort()).toEqual(['Expires', 'Key-Pair-Id', 'Signature']);
    expect(url.searchParams.get('Key-Pair-Id')).toBe(settings.keyPairId);
    const expires = Number(url.searchParams.get('Expires'));
    expect(expires - nowSeconds).toBeGreaterThanOrEqual(3600);
    expect(expires - nowSeconds).toBeLessThanOrEqual(4500);
    expect(cloudFrontAccepts(link, nowSeconds, keys)).toBe(true);
  });

  it('fails once expired, tampered with, pointed at another image, or checked with another key pair', () => {
    const link = links.linkTo(ID, { kind: 'original' });
    const expires = Number(new URL(link).searchParams.get('Expires'));
    expect(cloudFrontAccepts(link, expires, keys)).toBe(false);
    expect(cloudFrontAccepts(link.replace(ID, OTHER), nowSeconds, keys)).toBe(false);
    expect(cloudFrontAccepts(link.replace(`Expires=${expires}`, `Expires=${expires + 86_400}`), nowSeconds, keys)).toBe(
      false,
    );
    const variant = new URL(link);
    variant.pathname = `/${ID}/variants/thumb`;
    expect(cloudFrontAccepts(variant.toString(), nowSeconds, keys)).toBe(false);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(cloudFrontAccepts(link, nowSeconds, { [settings.keyPairId]: other.toString() })).toBe(false);
    expect(cloudFrontAccepts(link.replace(settings.keyPairId, 'KOTHER'), nowSeconds, keys)).toBe(false);
  });

  it('signs a variant link with what the edge negotiates from in the signed resource', () => {
    const link = links.linkTo(ID, { kind: 'variant', preset: 'thumb', fallback: 'png', animated: false });
    expect(link).toMatch(new RegExp(`^https://${settings.domainName}/${ID}/variants/thumb\\?fallback=png&Expires=`));
    expect(cloudFrontAccepts(link, nowSeconds, keys)).toBe(true);
    expect(cloudFrontAccepts(link.replace('fallback=png', 'fallback=jpeg'), nowSeconds, keys)).toBe(false);
    const animated = links.linkTo(ID, { kind: 'variant', preset: 'thumb', fallback: 'png', animated: true });
    expect(animated).toMatch(new RegExp(`/${ID}/variants/thumb\\?fallback=png&animated=1&Expires=`));
    expect(cloudFrontAccepts(animated, nowSeconds, keys)).toBe(true);
    // Dropping `animated` would let the edge choose AVIF, which keeps no animation: the signature forbids it.
    expect(cloudFrontAccepts(animated.replace('&animated=1', ''), nowSeconds, keys)).toBe(false);
  });

  it('purges one wildcard path per deleted image on its distribution', async () => {
    await links.forget(ID);
    await links.forget(ID);
    expect(sent).toHaveLength(2);
    const [first, second] = sent.map((command) => command.input);
    expect(first).toMatchObject({
      DistributionId: settings.distributionId,
      InvalidationBatch: { Paths: { Quantity: 1, Items: [`/${ID}*`] } },
    });
    // A repeated delete is a new invalidation, not a duplicate CloudFront would refuse.
    expect(first!.InvalidationBatch!.CallerReference).not.toBe(second!.InvalidationBatch!.CallerReference);
    expect(purgePathOf(ID)).toBe(`/${ID}*`);
  });

  it('refuses settings or a secret that cannot sign, naming the source and never the value', () => {
    const source = {
      settingsParameter: '/imagestore-dev/cdn/settings',
      signingKeySecret: 'imagestore-dev/cdn/signing-key/k',
    };
    const make = (read: { settings?: string; privateKey?: string }) => () =>
      CloudFrontLinks.from(source, read, 3600, client as never);
    const good = JSON.stringify(settings);
    expect(make({ settings: good, privateKey })).not.toThrow();
    expect(make({ settings: '{"domainName":"d.cloudfront.net"}', privateKey })).toThrow(
      /\/imagestore-dev\/cdn\/settings lacks/,
    );
    expect(make({ settings: 'not json', privateKey })).toThrow(/lacks/);
    expect(make({ settings: undefined, privateKey })).toThrow(/lacks/);
    const leaked = 'hunter2-not-a-key';
    const refusal = make({ settings: good, privateKey: leaked });
    expect(refusal).toThrow(/imagestore-dev\/cdn\/signing-key\/k does not hold a PEM private key/);
    expect(refusal).not.toThrow(new RegExp(leaked));
    expect(make({ settings: good, privateKey: publicKey })).toThrow(/PEM private key/);
  });
});
