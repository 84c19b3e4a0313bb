import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { requireInteger, requireMatch } from '../../config/require';

export interface ApiFirewallProps {
  readonly webAclName: string;
  /**
   * `REGIONAL` protects an API Gateway stage (`stageArn`); `CLOUDFRONT` makes an ACL a distribution names itself
   * (`webAclId`), which must live in us-east-1.
   */
  readonly scope?: 'REGIONAL' | 'CLOUDFRONT';
  /** ARN of the API Gateway stage to protect (REGIONAL only). */
  readonly stageArn?: string;
  /** Requests per source IP in any 5-minute window before the IP is blocked. */
  readonly rateLimitPer5Minutes: number;
}

/** WAF web ACL (on the API stage, or for the CDN): AWS managed common rules and a per-IP rate limit. */
export class ApiFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    requireMatch(
      'ApiFirewall webAclName',
      props.webAclName,
      /^[\w-]{1,128}$/,
      'letters, digits, _ and - (at most 128)',
    );
    // WAF's own bounds for a rate-based rule.
    requireInteger('ApiFirewall rateLimitPer5Minutes', props.rateLimitPer5Minutes, 10, 2_000_000_000);
    const aclScope = props.scope ?? 'REGIONAL';
    if ((aclScope === 'REGIONAL') !== (props.stageArn !== undefined)) {
      throw new Error('ApiFirewall stageArn is required for scope REGIONAL and not allowed for CLOUDFRONT');
    }

    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.webAclName,
      scope: aclScope,
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.webAclName),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: props.rateLimitPer5Minutes } },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
        {
          name: 'AWSManagedRulesCommonRuleSet',
          priority: 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesCommonRuleSet',
              // Image uploads are bodies far above the rule's 8 KB limit; the app enforces its own size limits.
              ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
            },
          },
          visibilityConfig: visibility('AWSManagedRulesCommonRuleSet'),
        },
      ],
    });

    if (props.stageArn !== undefined) {
      new wafv2.CfnWebACLAssociation(this, 'StageAssociation', {
        resourceArn: props.stageArn,
        webAclArn: this.webAcl.attrArn,
      });
    }
  }
}
