/**
 * Names the deploy workflow (.github/workflows/deploy-stage.yml) and docs/deploy.md rely on. Kept free of CDK
 * imports so scripts/workflows.spec.ts can check the workflow against it; the infra tests check the stacks.
 */

/** Construct ids of the stacks inside a stage: `cdk deploy --exclusively <stage>/<id>` selects them. */
export const STAGE_STACK_IDS = { registry: 'Registry', edge: 'Edge', service: 'Service' } as const;

/**
 * Outputs of the registry stack, by logical id. Created directly in the stack, so the id is the name as written
 * (CDK appends a hash only to outputs nested in constructs).
 */
export const REGISTRY_OUTPUTS = { ecrRepositoryUri: 'EcrRepositoryUri' } as const;

/** Outputs of the service stack, by logical id (see REGISTRY_OUTPUTS). */
export const SERVICE_OUTPUTS = {
  /** Invoke URL of the API stage, stage path included, with a trailing slash. */
  apiUrl: 'ApiUrl',
  /** Id (never the value) of the reviewers API key. */
  apiKeyId: 'ApiKeyId',
  /** The AWS CLI command that prints the reviewers API key value. */
  readApiKeyCommand: 'ReadReviewerApiKey',
  imageBucketName: 'ImageBucketName',
  /** Domain of the CloudFront distribution serving image bytes (absent on an API-only stage). */
  cdnDomainName: 'CdnDomainName',
} as const;
