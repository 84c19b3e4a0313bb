import { STAGE_NAMES, type AppConfig, type StageConfig } from './app-config';
import { requireInteger, requireMatch } from './require';

/** CloudWatch Logs accepts only these retention periods (days). */
export const VALID_LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * Checks what belongs to the config as a whole (names, identity, environments). Each construct validates its own
 * props (limits, memory, throttling, …) in its constructor, so those rules live next to what they protect.
 */
export function validateAppConfig(config: AppConfig): void {
  requireMatch(
    'appName',
    config.appName,
    /^[a-z][a-z0-9-]{1,20}$/,
    'lowercase letters, digits and dashes (2-21 chars)',
  );
  // GitHub's own rules: owners are alphanumerics and single dashes, repositories also allow "." and "_".
  requireMatch(
    'github.owner',
    config.github.owner,
    /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/,
    'a GitHub user or organisation name',
  );
  requireMatch('github.repo', config.github.repo, /^[A-Za-z0-9._-]{1,100}$/, 'a GitHub repository name');
  requireMatch(
    'cdkBootstrapQualifier',
    config.cdkBootstrapQualifier,
    /^[a-z0-9]{1,10}$/,
    'the cdk bootstrap qualifier (lowercase alphanumerics, at most 10)',
  );
  for (const name of STAGE_NAMES) {
    validateStage(name, config.stages[name]);
  }
}

function validateStage(key: string, stage: StageConfig): void {
  const at = `stages.${key}`;
  if (stage.stageName !== key) {
    throw new Error(`${at}.stageName must be "${key}", got ${JSON.stringify(stage.stageName)}`);
  }
  if (stage.account !== undefined) {
    requireMatch(`${at}.account`, stage.account, /^\d{12}$/, 'a 12-digit AWS account id');
  }
  if (stage.region !== undefined) {
    requireMatch(`${at}.region`, stage.region, /^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region like "eu-west-1"');
  }
  if (!(VALID_LOG_RETENTION_DAYS as readonly number[]).includes(stage.logRetentionDays)) {
    throw new Error(
      `${at}.logRetentionDays must be one of CloudWatch's periods (${VALID_LOG_RETENTION_DAYS.join(', ')}), got ${stage.logRetentionDays}`,
    );
  }
  requireInteger(`${at}.logArchiveExpirationDays`, stage.logArchiveExpirationDays, 1, 3650);
  requireInteger(`${at}.noncurrentVersionExpirationDays`, stage.noncurrentVersionExpirationDays, 1, 3650);
  requireInteger(`${at}.ecrMaxImageCount`, stage.ecrMaxImageCount, 1, 1000);
  if (stage.alarms.email !== undefined) {
    requireMatch(`${at}.alarms.email`, stage.alarms.email, /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address');
  }
  if (stage.stageName === 'prod' && stage.statefulRemoval !== 'retain') {
    throw new Error(`${at}.statefulRemoval must be "retain" for prod: images and logs must survive a stack deletion`);
  }
}
