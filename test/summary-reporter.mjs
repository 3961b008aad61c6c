// Prints the closing line 'N passed, N failed' that CI reads, after node's own spec report.
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    // Count leaf tests only (suites report their own pass/fail too).
    if (event.type === 'test:pass' && event.data.details?.type !== 'suite') passed++;
    if (event.type === 'test:fail' && event.data.details?.type !== 'suite') failed++;
  }
  yield `\n${passed} passed, ${failed} failed\n`;
}
