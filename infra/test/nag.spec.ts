import { Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildTestApp, newApp } from './test-app';

const packs = (): NagPack[] => [new AwsSolutionsChecks(), new ServerlessChecks()];

function findings(scope: IConstruct) {
  return packs().flatMap((pack) =>
    pack.validateScope(scope).violations.map((v) => ({
      rule: v.ruleName,
      severity: v.severity,
      resources: v.violatingResources.map((r) => r.constructPath),
    })),
  );
}

describe('cdk-nag (AwsSolutions + Serverless)', () => {
  // Both alarm-email states, since the e-mail subscription brings its own rule.
  for (const context of [{}, { alarmEmail: 'ops@example.org' }]) {
    it(`reports no unacknowledged error or warning for the whole app (${JSON.stringify(context)})`, () => {
      const { app } = buildTestApp(context);
      expect(findings(app)).toEqual([]);
      // The packs are registered on the app, so `cdk synth` itself fails on an unacknowledged error.
      expect(() => app.synth()).not.toThrow();
    });
  }

  it('does report problems (control: the packs really run)', () => {
    const stack = new Stack(newApp(), 'Control');
    new s3.Bucket(stack, 'Careless');
    new lambda.Function(stack, 'Untraced', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
    const rules = findings(stack).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10', 'Serverless-LambdaTracing']));
  });

  it('gives every acknowledgement a specific reason', () => {
    const { app } = buildTestApp({ alarmEmail: 'ops@example.org' });
    const acknowledgements = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThan(10);
    for (const [id, reason] of acknowledgements) {
      expect(reason.length, id).toBeGreaterThanOrEqual(60);
      expect(reason, id).not.toMatch(/^(n\/?a|todo|tbd|suppress(ed)?|ok|fine|not needed)\b/i);
    }
  });
});
