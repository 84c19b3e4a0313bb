import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { CDN_KEYS_DIR, readCdnPublicKeys } from '../../config/cdn-keys';
import { newTestStack, templateOf } from '../../../test/test-app';
import { ImageCdn, type ImageCdnProps } from './image-cdn';

const pem = readFileSync(path.join(CDN_KEYS_DIR, 'dev', '2026-12.pem'), 'utf8');

function build(patch: Partial<Omit<ImageCdnProps, 'imageBucket' | 'fallbackFunction' | 'logsBucket'>> = {}) {
  const stack = newTestStack();
  const fallbackFunction = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 })'),
  });
  new ImageCdn(stack, 'ImageCdn', {
    namePrefix: 'imagestore-dev',
    imageBucket: new s3.Bucket(stack, 'Images'),
    fallbackFunction,
    publicKeys: [{ name: '2026-12', encodedKey: pem }],
    activeKeyName: '2026-12',
    logsBucket: new s3.Bucket(stack, 'Logs', { objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED }),
    logPrefix: 'cloudfront/dev/',
    browserCacheSeconds: 3600,
    priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    ...patch,
  });
  return templateOf(stack);
}

describe(ImageCdn.name, () => {
  it('trusts both keys during a rotation and publishes the active one as the key pair id', () => {
    const template = build({
      publicKeys: [
        { name: '2026-12', encodedKey: pem },
        { name: '2027-06', encodedKey: readFileSync(path.join(CDN_KEYS_DIR, 'prod', '2026-12.pem'), 'utf8') },
      ],
      activeKeyName: '2027-06',
    });
    const keys = template.findResources('AWS::CloudFront::PublicKey');
    expect(Object.keys(keys)).toHaveLength(2);
    const [group] = Object.values(template.findResources('AWS::CloudFront::KeyGroup'));
    expect(group!.Properties.KeyGroupConfig.Items).toHaveLength(2);
    const active = Object.entries(keys).find(([, key]) => key.Properties.PublicKeyConfig.Comment.endsWith('2027-06'))!;
    const [settings] = Object.values(template.findResources('AWS::SSM::Parameter'));
    expect(JSON.stringify(settings!.Properties.Value)).toContain(`{"Ref":"${active[0]}"}`);
  });

  const invalid: [string, Parameters<typeof build>[0], RegExp][] = [
    ['no key', { publicKeys: [] }, /one key, or two while rotating/],
    [
      'three keys',
      {
        publicKeys: ['a', 'b', 'c'].map((name) => ({ name, encodedKey: pem })),
        activeKeyName: 'a',
      },
      /one key, or two while rotating/,
    ],
    [
      'a private key',
      {
        publicKeys: [{ name: '2026-12', encodedKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }],
      },
      /PEM "BEGIN PUBLIC KEY"/,
    ],
    ['an unknown active key', { activeKeyName: '2027-01' }, /activeKeyName "2027-01" is not one of/],
    [
      'a bad key name',
      { publicKeys: [{ name: 'Key One', encodedKey: pem }], activeKeyName: 'Key One' },
      /publicKeys\[\]\.name/,
    ],
    ['a regional web ACL', { webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/1' }, /us-east-1/],
    ['a browser lifetime of zero', { browserCacheSeconds: 0 }, /browserCacheSeconds/],
  ];
  for (const [what, patch, message] of invalid) {
    it(`refuses ${what}`, () => {
      expect(() => build(patch)).toThrow(message);
    });
  }

  it('reads each configured key from infra/keys/<stage>/ and names the missing file', () => {
    expect(readCdnPublicKeys('dev', ['2026-12'])[0]!.encodedKey).toBe(pem);
    expect(() => readCdnPublicKeys('dev', ['2099-01'])).toThrow(
      /infra\/keys\/dev\/2099-01\.pem|keys\/dev\/2099-01\.pem/,
    );
  });
});
