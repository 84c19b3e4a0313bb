import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { StageName } from './app-config';

/** Where the public halves of the link-signing key pairs live: `infra/keys/<stage>/<name>.pem`. */
export const CDN_KEYS_DIR = path.join(__dirname, '..', '..', 'keys');

/** The PEM of each named public key of a stage; a missing file fails synth with the path to create. */
export function readCdnPublicKeys(
  stageName: StageName,
  keyNames: readonly string[],
  keysDir = CDN_KEYS_DIR,
): { readonly name: string; readonly encodedKey: string }[] {
  return keyNames.map((name) => {
    const file = path.join(keysDir, stageName, `${name}.pem`);
    try {
      return { name, encodedKey: readFileSync(file, 'utf8') };
    } catch (error) {
      throw new Error(`CDN public key "${name}" of stage ${stageName} not found at ${file} (see docs/deploy.md)`, {
        cause: error,
      });
    }
  });
}
