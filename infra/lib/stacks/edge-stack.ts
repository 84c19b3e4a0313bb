import { Stack, type StackProps } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/app-config';
import type { StageResourceNames } from '../config/naming';
import { ApiFirewall } from '../constructs/api-firewall/api-firewall';

export interface EdgeStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly names: StageResourceNames;
}

/**
 * The stage's us-east-1 part: the CDN's WAF web ACL, which CloudFront accepts only from there. Its ARN goes to the
 * service stack (any region) through an SSM parameter that the service stack reads in us-east-1.
 */
export class EdgeStack extends Stack {
  readonly firewall: ApiFirewall;
  readonly webAclArnParameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    if (this.region !== 'us-east-1') {
      throw new Error(`EdgeStack must be deployed to us-east-1 (CLOUDFRONT-scope WAF), got ${this.region}`);
    }
    this.firewall = new ApiFirewall(this, 'CdnFirewall', {
      webAclName: props.names.cdnWebAclName,
      scope: 'CLOUDFRONT',
      rateLimitPer5Minutes: props.stage.cdn.wafRateLimitPer5Minutes,
    });
    this.webAclArnParameter = new ssm.StringParameter(this, 'CdnWebAclArn', {
      parameterName: props.names.cdnWebAclParameterName,
      description: `ARN of the ${props.names.cdnWebAclName} web ACL, read by the service stack`,
      stringValue: this.firewall.webAcl.attrArn,
    });
  }
}
