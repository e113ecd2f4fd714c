import { main } from '../shared/cli/main.js';

// The SDK warns on every run under Node 20 that its releases after January 2027 need Node 22. The CLI
// supports Node 20 (package.json engines) and the Lambda functions run Node 22, so the notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
