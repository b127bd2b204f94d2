// Builds the web UI into a directory the dashboard serves with --web DIR.
// Usage: node build.mjs [--outdir DIR] [--install] [--stamp FILE --depfile FILE]
//   --install  first runs `npm ci` when node_modules is missing or older than the lock file
//              (what meson's build does, so a fresh checkout builds with one command).
//   --stamp, --depfile  for meson/ninja: touch FILE when done, and write a Makefile-style
//              depfile naming the stamp and every file the bundle read, so ninja rebuilds
//              exactly when a source, a library or the lock file changes.
// Output: DIR/index.html, DIR/favicon.svg, DIR/assets/app.{js,css} (default DIR: ./dist).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const outdir = resolve(option('--outdir') ?? join(here, 'dist'));

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
    execFileSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
      { cwd: here, stdio: ['ignore', 'ignore', 'inherit'] });
  }
}

// Imported only now: on a fresh checkout it exists after the `npm ci` above.
const esbuild = await import('esbuild');
mkdirSync(join(outdir, 'assets'), { recursive: true });
const result = await esbuild.build({
  entryPoints: { app: join(here, 'src', 'main.js') },
  outdir: join(outdir, 'assets'),
  bundle: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: true,
});
// Files served as they are, next to the bundle.
const STATIC_FILES = ['index.html', 'favicon.svg'];
for (const name of STATIC_FILES) copyFileSync(join(here, 'src', name), join(outdir, name));

const stamp = option('--stamp');
const depfile = option('--depfile');
if (depfile && stamp) {
  // esbuild names inputs relative to the working directory; the depfile wants them as
  // ninja sees them, absolute here. Spaces are escaped as Makefile syntax requires.
  const inputs = [...Object.keys(result.metafile.inputs).map((input) => resolve(input)),
    ...STATIC_FILES.map((name) => join(here, 'src', name)), join(here, 'package-lock.json'),
    join(here, 'build.mjs')];
  const escape = (path) => path.replace(/ /g, '\\ ');
  writeFileSync(depfile, `${escape(stamp)}: ${inputs.map(escape).join(' \\\n  ')}\n`);
}
if (stamp) writeFileSync(stamp, '');
