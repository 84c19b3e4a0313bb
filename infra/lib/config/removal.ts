import { RemovalPolicy } from 'aws-cdk-lib';
import type { StatefulRemoval } from './app-config';

export function removalPolicyOf(removal: StatefulRemoval): RemovalPolicy {
  return removal === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
