// node:test reporter: one line per test ("ok" / "FAIL" with the reason), then a closing
// line in the form scripts/test counts for the whole suite:
//   "test cases: N | P passed | F failed".
// Skipped tests print "skip" with their reason and count as neither.

export default async function* summaryReporter(source) {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, details, skip, todo } = event.data;
    if (details?.type === 'suite') continue;
    if (skip || todo) {
      yield `skip ${name}${typeof skip === 'string' ? ` (${skip})` : ''}\n`;
    } else if (event.type === 'test:pass') {
      passed++;
      yield `ok   ${name}\n`;
    } else {
      failed++;
      const error = details?.error?.cause ?? details?.error;
      yield `FAIL ${name}\n${indent(String(error?.stack ?? error?.message ?? error))}\n`;
    }
  }
  yield `test cases: ${passed + failed} | ${passed} passed | ${failed} failed\n`;
}

function indent(text) {
  return text.split('\n').map((line) => `     ${line}`).join('\n');
}
