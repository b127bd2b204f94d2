// Builds the web UI into a directory the dashboard serves with --web DIR.
// Usage: node build.mjs [--outdir DIR] [--install]
//   --install  first runs `npm ci` when node_modules is missing or older than the lock file
//              (what meson's build does, so a fresh checkout builds with one command).
// Output: DIR/index.html, DIR/assets/app.js, DIR/assets/app.css (default DIR: ./dist).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outdirIndex = args.indexOf('--outdir');
const outdir = resolve(outdirIndex >= 0 ? args[outdirIndex + 1] : join(here, 'dist'));

function modifiedAt(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

if (args.includes('--install')) {
  const installed = modifiedAt(join(here, 'node_modules', '.package-lock.json'));
  if (installed < modifiedAt(join(here, 'package-lock.json'))) {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'],
      { cwd: here, stdio: ['ignore', 'ignore', 'inherit'] });
  }
}

// Imported only now: on a fresh checkout it exists after the `npm ci` above.
const esbuild = await import('esbuild');
mkdirSync(join(outdir, 'assets'), { recursive: true });
await esbuild.build({
  entryPoints: { app: join(here, 'src', 'main.js') },
  outdir: join(outdir, 'assets'),
  bundle: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
copyFileSync(join(here, 'src', 'index.html'), join(outdir, 'index.html'));
