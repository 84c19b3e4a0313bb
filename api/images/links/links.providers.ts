import type { Provider } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AppSignedLinks } from './app-signed-links';
import { ContentLinks } from './content-links';

/**
 * With a CDN configured, links are CloudFront signed URLs (settings and key read once, here, at start-up);
 * without, the app signs its own. The signed route verifies app-signed links in both modes.
 */
export const LINK_PROVIDERS: Provider[] = [
  {
    provide: AppSignedLinks,
    useFactory: (config: AppConfig) => new AppSignedLinks(config.contentLinkSecret, config.CONTENT_LINK_TTL_SECONDS),
    inject: [AppConfig],
  },
  {
    provide: ContentLinks,
    useFactory: async (config: AppConfig, appSigned: AppSignedLinks): Promise<ContentLinks> => {
      if (config.CDN_SETTINGS_PARAMETER === undefined || config.CDN_SIGNING_KEY_SECRET === undefined) return appSigned;
      // Loaded only with a CDN, so the extra SDK clients cost nothing elsewhere.
      const { CloudFrontLinks } = await import('./cloudfront-links.js');
      return CloudFrontLinks.load(
        {
          settingsParameter: config.CDN_SETTINGS_PARAMETER,
          signingKeySecret: config.CDN_SIGNING_KEY_SECRET,
          region: config.AWS_REGION,
        },
        config.CONTENT_LINK_TTL_SECONDS,
      );
    },
    inject: [AppConfig, AppSignedLinks],
  },
];
