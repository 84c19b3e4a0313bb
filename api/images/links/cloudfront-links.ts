import { randomUUID } from 'node:crypto';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { ContentLinks, type LinkedRepresentation } from './content-links';
import { windowedExpiry } from './link-expiry';

/** What infra writes to the settings parameter (infra: ImageCdn `settingsParameter`). */
export interface CdnSettings {
  readonly domainName: string;
  readonly distributionId: string;
  readonly keyPairId: string;
}

export interface CdnSource {
  readonly settingsParameter: string;
  readonly signingKeySecret: string;
  readonly region: string;
}

/** The CDN path of a representation (infra: originals at `/<id>`, variants at `/<id>/variants/<preset>`). */
export function cdnPath(id: string, representation: LinkedRepresentation): string {
  if (representation.kind === 'original') return `/${id}`;
  const { preset, fallback, animated } = representation;
  return `/${id}/variants/${preset}?fallback=${fallback}${animated ? '&animated=1' : ''}`;
}

/** One wildcard that covers the original and every variant of an image, as viewed and as rewritten at the edge. */
export const purgePathOf = (id: string): string => `/${id}*`;

/**
 * CloudFront signed URLs (canned policy) for the distribution's trusted key group, and one invalidation per
 * deleted image. The only file besides the S3 adapter that talks to AWS.
 */
export class CloudFrontLinks extends ContentLinks {
  constructor(
    private readonly settings: CdnSettings,
    private readonly privateKey: string,
    private readonly ttlSeconds: number,
    private readonly cloudfront: Pick<CloudFrontClient, 'send'>,
    private readonly now: () => number = () => Date.now(),
  ) {
    super();
  }

  /**
   * Reads the settings and the private key once (one cold start). The key stays in this object: it is never
   * logged, and an error names the secret, not its value.
   */
  static async load(source: CdnSource, ttlSeconds: number): Promise<CloudFrontLinks> {
    const ssm = new SSMClient({ region: source.region });
    const secrets = new SecretsManagerClient({ region: source.region });
    const [parameter, secret] = await Promise.all([
      ssm.send(new GetParameterCommand({ Name: source.settingsParameter })),
      secrets.send(new GetSecretValueCommand({ SecretId: source.signingKeySecret })),
    ]);
    return CloudFrontLinks.from(
      source,
      { settings: parameter.Parameter?.Value, privateKey: secret.SecretString },
      ttlSeconds,
      new CloudFrontClient({ region: source.region }),
    );
  }

  /** Checks what was read; an error names where it came from, never the key itself. */
  static from(
    source: Pick<CdnSource, 'settingsParameter' | 'signingKeySecret'>,
    read: { readonly settings?: string; readonly privateKey?: string },
    ttlSeconds: number,
    cloudfront: Pick<CloudFrontClient, 'send'>,
  ): CloudFrontLinks {
    let settings: Partial<CdnSettings> | null;
    try {
      settings = JSON.parse(read.settings ?? 'null') as Partial<CdnSettings> | null;
    } catch {
      settings = null;
    }
    if (!settings?.domainName || !settings.distributionId || !settings.keyPairId) {
      throw new Error(`CDN settings parameter ${source.settingsParameter} lacks domainName/distributionId/keyPairId`);
    }
    const privateKey = read.privateKey?.trim() ?? '';
    if (!/^-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKey)) {
      throw new Error(`Secret ${source.signingKeySecret} does not hold a PEM private key (see docs/deploy.md)`);
    }
    return new CloudFrontLinks(settings as CdnSettings, privateKey, ttlSeconds, cloudfront);
  }

  get origin(): string {
    return `https://${this.settings.domainName}`;
  }

  linkTo(id: string, representation: LinkedRepresentation): string {
    return getSignedUrl({
      url: `https://${this.settings.domainName}${cdnPath(id, representation)}`,
      keyPairId: this.settings.keyPairId,
      privateKey: this.privateKey,
      dateLessThan: new Date(windowedExpiry(this.now(), this.ttlSeconds) * 1000).toISOString(),
    });
  }

  async forget(id: string): Promise<void> {
    await this.cloudfront.send(
      new CreateInvalidationCommand({
        DistributionId: this.settings.distributionId,
        InvalidationBatch: {
          CallerReference: `${id}-${randomUUID()}`,
          Paths: { Quantity: 1, Items: [purgePathOf(id)] },
        },
      }),
    );
  }
}
