// A node:test reporter that writes JUnit XML, for Node.js versions without the built-in one
// (Debian 12's Node 18): one <testcase> per test, suites (describe blocks) only name their tests.
//   node --test --test-reporter=./.driftwatch/exercism/junit_reporter.mjs --test-reporter-destination=FILE
const escape = (text) => String(text).replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);

export default async function* junit(source) {
  const cases = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, details, skip, todo } = event.data;
    if (details?.type === 'suite') continue;
    let body = '';
    if (event.type === 'test:fail') body = `<failure message="${escape(details?.error?.cause?.message ?? details?.error?.message ?? 'failed')}"/>`;
    else if (skip !== undefined || todo !== undefined) body = '<skipped/>';
    cases.push(`  <testcase classname="node" name="${escape(name)}">${body}</testcase>`);
  }
  const failures = cases.filter((c) => c.includes('<failure')).length;
  yield `<testsuite name="node" tests="${cases.length}" failures="${failures}">\n${cases.join('\n')}\n</testsuite>\n`;
}
