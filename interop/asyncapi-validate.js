// Validates AsyncAPI documents with the official parser (@asyncapi/parser),
// as the siogen generator's tests require: every diagnostic is printed, and
// the exit status is 1 when any has severity error.
// Usage: node asyncapi-validate.js FILE...
const fs = require('fs');
const { Parser, DiagnosticSeverity } = require('@asyncapi/parser');

const severities = ['error', 'warning', 'info', 'hint'];

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: node asyncapi-validate.js FILE...');
    process.exit(2);
  }
  const parser = new Parser();
  let errors = 0;
  for (const file of files) {
    const { document, diagnostics } = await parser.parse(fs.readFileSync(file, 'utf8'), { source: file });
    for (const d of diagnostics) {
      if (d.severity === DiagnosticSeverity.Error) errors++;
      console.log(`${file}: ${severities[d.severity] || d.severity}: ${d.code}: ${d.message} at ${JSON.stringify(d.path)}`);
    }
    console.log(`${file}: ${document ? 'parsed' : 'not parsed'}, ${diagnostics.length} diagnostics`);
    if (!document) errors++;
  }
  if (errors > 0) {
    console.log(`${errors} errors`);
    process.exit(1);
  }
  console.log('valid');
}
main().catch((err) => { console.error(err); process.exit(1); });
