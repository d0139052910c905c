// `npm test`: the type check and jest side by side, not one after the other. Both are CPU-bound and
// jest alone does not keep both cores busy all the time (its last suites run with a core idle), so
// running them together takes the type check's time mostly off the wall clock. Arguments go to
// jest (`npm test -- --json --outputFile=F`). Fails if either fails, and says which at the end.
const { spawn } = require('node:child_process');

function run(name, command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', (err) => {
      process.stderr.write(`${name} could not start: ${err.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function main() {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const [typecheck, jest] = await Promise.all([
    run('the type check', npm, ['run', '--silent', 'typecheck']),
    run('jest', process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)]),
  ]);
  if (typecheck !== 0) process.stderr.write(`\nnpm test: the type check failed (exit ${typecheck}); its errors are above (npm run typecheck alone prints only them)\n`);
  if (jest !== 0) process.stderr.write(`\nnpm test: jest failed (exit ${jest})\n`);
  process.exit(typecheck !== 0 ? typecheck : jest);
}

main();
