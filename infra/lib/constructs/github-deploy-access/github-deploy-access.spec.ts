import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { newTestStack, templateOf } from '../../../test/test-app';
import { GithubDeployAccess, type GithubDeployAccessProps } from './github-deploy-access';

const TARGETS = [
  {
    environment: 'dev',
    roleName: 'imagestore-dev-github-deploy',
    repositoryName: 'imagestore-dev',
    apiKeyTags: { app: 'imagestore', stage: 'dev' },
  },
  {
    environment: 'prod',
    roleName: 'imagestore-prod-github-deploy',
    repositoryName: 'imagestore-prod',
    apiKeyTags: { app: 'imagestore', stage: 'prod' },
  },
];

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The statements of each deploy role's policy, by environment. */
function statementsByEnvironment(template: ReturnType<typeof build>): Map<string, Statement[]> {
  const roles = template.findResources('AWS::IAM::Role');
  const byEnvironment = new Map<string, Statement[]>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roleId = (policy.Properties.Roles as Array<{ Ref: string }>)[0]!.Ref;
    const env = TARGETS.find((t) => t.roleName === roles[roleId]?.Properties.RoleName)!.environment;
    byEnvironment.set(env, policy.Properties.PolicyDocument.Statement as Statement[]);
  }
  return byEnvironment;
}

function build(patch: Partial<GithubDeployAccessProps> = {}) {
  const stack = newTestStack();
  new GithubDeployAccess(stack, 'Deploy', {
    owner: 'acme',
    repo: 'imagestore',
    cdkBootstrapQualifier: 'hnb659fds',
    targets: TARGETS,
    ...patch,
  });
  return templateOf(stack);
}

describe(GithubDeployAccess.name, () => {
  const template = build();

  it('creates the GitHub OIDC provider natively (no custom resource) for the sts audience', () => {
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  it.each(['dev', 'prod'])(
    'trusts only %s-environment tokens of this repository, with StringEquals on aud and sub',
    (env) => {
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: `imagestore-${env}-github-deploy`,
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRoleWithWebIdentity',
              Principal: { Federated: { Ref: Match.stringLikeRegexp('GithubOidcProvider') } },
              Condition: {
                StringEquals: {
                  'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                  'token.actions.githubusercontent.com:sub': `repo:acme/imagestore:environment:${env}`,
                },
              },
            },
          ],
        },
      });
    },
  );

  it('never uses StringLike or a wildcard subject in any trust policy', () => {
    const trust = JSON.stringify(
      Object.values(template.findResources('AWS::IAM::Role')).map((r) => r.Properties.AssumeRolePolicyDocument),
    );
    expect(trust).not.toContain('StringLike');
    expect(trust).not.toMatch(/repo:[^"]*\*/);
  });

  it('may only assume the CDK bootstrap roles, push to its own ECR repository and read its own API keys', () => {
    const byEnvironment = statementsByEnvironment(template);
    expect([...byEnvironment.keys()].sort()).toEqual(['dev', 'prod']);
    for (const [env, statements] of byEnvironment) {
      const text = JSON.stringify(statements);
      const assume = statements.find((s) => s.Action === 'sts:AssumeRole');
      expect(JSON.stringify(assume?.Resource)).toMatch(/role\/cdk-hnb659fds-deploy-role-/);
      expect(JSON.stringify(assume?.Resource)).toMatch(/role\/cdk-hnb659fds-file-publishing-role-/);
      expect(JSON.stringify(assume?.Resource)).not.toContain('*');
      expect(text).toContain(`:repository/imagestore-${env}`);
      expect(text).not.toContain(`:repository/imagestore-${env === 'dev' ? 'prod' : 'dev'}`);
      const wildcard = statements.filter((s) => s.Resource === '*');
      expect(wildcard).toEqual([expect.objectContaining({ Action: 'ecr:GetAuthorizationToken' })]);
      const actions = statements.flatMap((s) => [s.Action].flat());
      expect(actions.every((a) => a === 'sts:AssumeRole' || a === 'apigateway:GET' || a.startsWith('ecr:'))).toBe(true);
      // Reads only what the workflow asks for (batch-get-image); no layer downloads, no repository admin.
      expect(actions.filter((a) => a.startsWith('ecr:')).sort()).toEqual([
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:CompleteLayerUpload',
        'ecr:GetAuthorizationToken',
        'ecr:InitiateLayerUpload',
        'ecr:PutImage',
        'ecr:UploadLayerPart',
      ]);
    }
  });

  it.each(['dev', 'prod'])(
    'lets the %s role read (GET) only API keys tagged with its own app and stage, and nothing else of API Gateway',
    (env) => {
      const statements = statementsByEnvironment(template).get(env)!;
      const apiGateway = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('apigateway:')));
      expect(apiGateway).toEqual([
        {
          Sid: 'ReadStageApiKeys',
          Effect: 'Allow',
          Action: 'apigateway:GET',
          Resource: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:', { Ref: 'AWS::Region' }, '::/apikeys/*'],
            ],
          },
          Condition: {
            StringEquals: { 'aws:ResourceTag/app': 'imagestore', 'aws:ResourceTag/stage': env },
          },
        },
      ]);
    },
  );

  it.each([
    [{ owner: 'acme/other' }, /GithubDeployAccess owner must be a GitHub user or organisation name/],
    [{ targets: [] }, /GithubDeployAccess targets must name at least one GitHub environment/],
    [
      { targets: [{ ...TARGETS[0], environment: '*' }] },
      /GithubDeployAccess target environment must be a GitHub environment name without wildcards/,
    ],
    [{ targets: [TARGETS[0], TARGETS[0]] }, /GithubDeployAccess targets name environment "dev" twice/],
    [
      { targets: [{ ...TARGETS[0], apiKeyTags: {} }] },
      /GithubDeployAccess target "dev" apiKeyTags must name at least one tag/,
    ],
  ])('rejects invalid props with a clear error (%#)', (patch, message) => {
    expect(() => build(patch)).toThrow(message);
  });
});
