import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { newTestStack, templateOf } from '../../../test/test-app';
import { ApiFirewall, type ApiFirewallProps } from './api-firewall';

const STAGE_ARN = 'arn:aws:apigateway:eu-west-1::/restapis/abc123/stages/prod';

function build(patch: Partial<ApiFirewallProps> = {}) {
  const stack = newTestStack();
  new ApiFirewall(stack, 'Firewall', {
    webAclName: 'imagestore-prod-api',
    stageArn: STAGE_ARN,
    rateLimitPer5Minutes: 2000,
    ...patch,
  });
  return templateOf(stack);
}

describe(ApiFirewall.name, () => {
  const template = build();

  it('is a regional web ACL with a per-IP rate rule and the AWS managed common rule set', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: 'RateLimitPerIp',
          Action: { Block: {} },
          Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 2000 } },
        }),
        Match.objectLike({
          Name: 'AWSManagedRulesCommonRuleSet',
          OverrideAction: { None: {} },
          Statement: {
            ManagedRuleGroupStatement: {
              VendorName: 'AWS',
              Name: 'AWSManagedRulesCommonRuleSet',
              // Uploads are larger than the rule set's 8 KB body limit.
              RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
            },
          },
        }),
      ],
    });
  });

  it('is associated with the API stage', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: STAGE_ARN });
  });

  it.each([
    [{ rateLimitPer5Minutes: 5 }, /ApiFirewall rateLimitPer5Minutes must be an integer from 10 to 2000000000, got 5/],
    [{ webAclName: 'has space' }, /ApiFirewall webAclName/],
  ])('rejects invalid props with a clear error (%#)', (patch, message) => {
    expect(() => build(patch)).toThrow(message);
  });

  it('makes a CLOUDFRONT-scope ACL without an association for the CDN, and refuses a mismatched stage ARN', () => {
    const cdn = build({ scope: 'CLOUDFRONT', stageArn: undefined });
    cdn.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
    cdn.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    expect(() => build({ scope: 'CLOUDFRONT' })).toThrow(/stageArn is required for scope REGIONAL and not allowed/);
    expect(() => build({ stageArn: undefined })).toThrow(/stageArn is required for scope REGIONAL/);
  });
});
