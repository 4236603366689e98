// Entry of the CommonJS bundle dist/subsetd.cjs.
import { run } from './cli.js';

run(process.argv.slice(2), { bundleDir: __dirname }).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
