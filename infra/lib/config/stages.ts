import type { AppConfig } from './app-config';

/**
 * The single source of stage settings. Change values here (reviewed in a pull request) rather than passing
 * them on the command line; only deploy-time facts (`imageTag`, an alarm e-mail, the GitHub repository of a
 * fork) are context overrides.
 */
export const IMAGESTORE_CONFIG: AppConfig = {
  appName: 'imagestore',
  github: { owner: 'imagestore-maintainers', repo: 'imagestore' },
  cdkBootstrapQualifier: 'hnb659fds',
  stages: {
    dev: {
      stageName: 'dev',
      statefulRemoval: 'destroy',
      logRetentionDays: 14,
      logArchiveExpirationDays: 30,
      noncurrentVersionExpirationDays: 7,
      ecrMaxImageCount: 10,
      function: { architecture: 'x86_64', memoryMb: 1024, timeoutSeconds: 25, logLevel: 'debug' },
      limits: { maxUploadBytes: 4_194_304, maxImagePixels: 40_000_000, directUploadMaxBytes: 52_428_800 },
      api: {
        throttleRateLimit: 20,
        throttleBurstLimit: 40,
        reviewerQuotaPerDay: 5_000,
        corsAllowedOrigins: ['http://localhost:3000', 'http://localhost:5173'],
        wafEnabled: false,
        wafRateLimitPer5Minutes: 1_000,
      },
      alarms: {
        max5xxRatePercent: 5,
        maxP99LatencyMs: 5_000,
        maxLambdaErrorsPer5Minutes: 5,
        maxLambdaThrottlesPer5Minutes: 5,
      },
      contentLinkTtlSeconds: 3600,
      cdn: {
        enabled: true,
        keyNames: ['2026-12'],
        activeKeyName: '2026-12',
        priceClass: 'PriceClass_100',
        wafEnabled: false,
        wafRateLimitPer5Minutes: 2_000,
        max4xxRatePercent: 20,
        max5xxRatePercent: 5,
        minCacheHitRatePercent: 50,
      },
    },
    prod: {
      stageName: 'prod',
      statefulRemoval: 'retain',
      logRetentionDays: 90,
      logArchiveExpirationDays: 400,
      noncurrentVersionExpirationDays: 30,
      ecrMaxImageCount: 30,
      function: {
        architecture: 'x86_64',
        memoryMb: 1769,
        timeoutSeconds: 25,
        reservedConcurrency: 20,
        logLevel: 'info',
      },
      limits: { maxUploadBytes: 4_194_304, maxImagePixels: 40_000_000, directUploadMaxBytes: 52_428_800 },
      api: {
        throttleRateLimit: 50,
        throttleBurstLimit: 100,
        reviewerQuotaPerDay: 10_000,
        corsAllowedOrigins: ['https://imagestore.example.org'],
        wafEnabled: true,
        wafRateLimitPer5Minutes: 2_000,
      },
      alarms: {
        max5xxRatePercent: 1,
        maxP99LatencyMs: 3_000,
        maxLambdaErrorsPer5Minutes: 1,
        maxLambdaThrottlesPer5Minutes: 1,
      },
      contentLinkTtlSeconds: 3600,
      cdn: {
        enabled: true,
        keyNames: ['2026-12'],
        activeKeyName: '2026-12',
        priceClass: 'PriceClass_100',
        wafEnabled: true,
        wafRateLimitPer5Minutes: 5_000,
        max4xxRatePercent: 10,
        max5xxRatePercent: 1,
        minCacheHitRatePercent: 70,
      },
    },
  },
};
