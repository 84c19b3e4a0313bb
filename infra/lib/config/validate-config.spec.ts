import { describe, expect, it } from 'vitest';
import { newApp } from '../../test/test-app';
import type { AppConfig, StageConfig } from './app-config';
import { loadAppConfig, loadImageTag, SYNTH_ONLY_IMAGE_TAG } from './load-config';
import { IMAGESTORE_CONFIG } from './stages';
import { validateAppConfig } from './validate-config';

function withStage(name: 'dev' | 'prod', patch: Partial<StageConfig>): AppConfig {
  return {
    ...IMAGESTORE_CONFIG,
    stages: { ...IMAGESTORE_CONFIG.stages, [name]: { ...IMAGESTORE_CONFIG.stages[name], ...patch } },
  };
}

describe(validateAppConfig.name, () => {
  it('accepts the committed config', () => {
    expect(() => validateAppConfig(IMAGESTORE_CONFIG)).not.toThrow();
  });

  it.each([
    [
      { ...IMAGESTORE_CONFIG, github: { owner: 'bad owner', repo: 'imagestore' } },
      /github.owner must be a GitHub user or organisation name, got "bad owner"/,
    ],
    [
      { ...IMAGESTORE_CONFIG, github: { owner: 'acme', repo: '*' } },
      /github.repo must be a GitHub repository name, got "\*"/,
    ],
    [{ ...IMAGESTORE_CONFIG, appName: 'Image Store' }, /appName must be lowercase/],
    [
      { ...IMAGESTORE_CONFIG, cdkBootstrapQualifier: 'hnb659fds-extra' },
      /cdkBootstrapQualifier must be the cdk bootstrap qualifier/,
    ],
    [withStage('dev', { stageName: 'prod' }), /stages.dev.stageName must be "dev", got "prod"/],
    [withStage('dev', { account: '1234' }), /stages.dev.account must be a 12-digit AWS account id/],
    [withStage('dev', { region: 'Europe' }), /stages.dev.region must be an AWS region/],
    [
      withStage('dev', { logRetentionDays: 10 }),
      /stages.dev.logRetentionDays must be one of CloudWatch's periods .* got 10/,
    ],
    [withStage('prod', { statefulRemoval: 'destroy' }), /stages.prod.statefulRemoval must be "retain" for prod/],
    [withStage('dev', { ecrMaxImageCount: 0 }), /stages.dev.ecrMaxImageCount must be an integer from 1 to 1000, got 0/],
    [
      withStage('dev', { alarms: { ...IMAGESTORE_CONFIG.stages.dev.alarms, email: 'not-an-email' } }),
      /stages.dev.alarms.email must be an e-mail address/,
    ],
  ])('rejects a bad config with a clear message (%#)', (config, message) => {
    expect(() => validateAppConfig(config as AppConfig)).toThrow(message);
  });
});

describe(loadAppConfig.name, () => {
  it('applies context overrides for the GitHub repository and the alarm e-mail', () => {
    const config = loadAppConfig(
      newApp({ githubOwner: 'acme', githubRepo: 'images', alarmEmail: 'ops@example.org' }).node,
    );
    expect(config.github).toEqual({ owner: 'acme', repo: 'images' });
    expect(config.stages.dev.alarms.email).toBe('ops@example.org');
    expect(config.stages.prod.alarms.email).toBe('ops@example.org');
  });

  it('validates overrides too', () => {
    expect(() => loadAppConfig(newApp({ githubOwner: 'acme/evil' }).node)).toThrow(/github.owner/);
    expect(() => loadAppConfig(newApp({ alarmEmail: 42 }).node)).toThrow(/context "alarmEmail" must be a string/);
  });
});

describe(loadImageTag.name, () => {
  it('uses the given tag, or the synth-only placeholder when none is given', () => {
    expect(loadImageTag(newApp({ imageTag: 'abc123' }).node)).toBe('abc123');
    expect(loadImageTag(newApp().node)).toBe(SYNTH_ONLY_IMAGE_TAG);
  });
});
