import { Match } from 'aws-cdk-lib/assertions';
import { describe, it } from 'vitest';
import { newTestStack, templateOf } from '../../../test/test-app';
import { ApiGatewayAccountLogging } from './api-gateway-account-logging';

describe(ApiGatewayAccountLogging.name, () => {
  it('sets the account-wide CloudWatch role API Gateway needs for access logs', () => {
    const stack = newTestStack();
    new ApiGatewayAccountLogging(stack, 'Logging');
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::ApiGateway::Account', {
      CloudWatchRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('CloudWatchRole'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
      },
    });
  });
});
