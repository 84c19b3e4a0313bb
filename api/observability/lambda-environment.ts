/**
 * True inside the AWS Lambda runtime (and its emulator in the base image). Outside it, telemetry is switched off
 * entirely: Powertools is never loaded, so local runs and tests pay nothing and print no warnings.
 */
export function isRunningInLambda(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
}
