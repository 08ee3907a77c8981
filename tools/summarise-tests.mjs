#!/usr/bin/env node
// Reads the output of `npm test` (Jest summaries from every project, then Playwright's) from
// stdin and prints one closing line: "N passed, N failed[, N skipped]".
import { readFileSync } from 'node:fs';

const text = readFileSync(0, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
let passed = 0;
let failed = 0;
let skipped = 0;
for (const line of text.split('\n')) {
  const jest = /^Tests:\s+(.*)\s(\d+) total/.exec(line.trim());
  if (jest) {
    passed += Number(/(\d+) passed/.exec(jest[1])?.[1] ?? 0);
    failed += Number(/(\d+) failed/.exec(jest[1])?.[1] ?? 0);
    skipped += Number(/(\d+) skipped/.exec(jest[1])?.[1] ?? 0);
    continue;
  }
  const pw = /^\s*(\d+) (passed|failed|skipped|flaky|did not run)( \(|$)/.exec(line);
  if (pw) {
    const n = Number(pw[1]);
    if (pw[2] === 'passed' || pw[2] === 'flaky') passed += n;
    else if (pw[2] === 'skipped' || pw[2] === 'did not run') skipped += n;
    else failed += n;
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
