// What the browser test runs against, from arguments and environment:
//   --base-url URL | SIAGENT_DASHBOARD_URL   a running dashboard (default: start the mock)
//   --dist DIR                               the built UI the mock serves (default ../../dist)
//   --screenshots DIR | SIAGENT_SCREENSHOT_DIR  where pictures go (default ./screenshots)
//   SIAGENT_EMAIL / SIAGENT_PASSWORD         login (default: the mock's owner)
//   SIAGENT_APP / SIAGENT_HOT_FUNCTION       application to open, function its CPU flame
//                                            graph must show (default demo / render_response)
//   SIAGENT_SPANS_APP / SIAGENT_SPAN         an application with spans and the span to pick;
//   SIAGENT_SPAN_HOT_FUNCTION / _OTHER_FUNCTION  a function its CPU flame graph must show,
//                                            and one (another span's) it must not
//   SIAGENT_CHROMIUM                         browser binary (default /usr/bin/chromium)
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function option(args, name) {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

export function readConfig(args = process.argv.slice(2), env = process.env) {
  const baseUrl = option(args, '--base-url') ?? env.SIAGENT_DASHBOARD_URL ?? null;
  return {
    baseUrl: baseUrl ? baseUrl.replace(/\/+$/, '') : null,
    // Fixture-specific checks (exact values, the idle app, versions 1.2/1.3) need the mock.
    usesMock: !baseUrl,
    distDir: resolve(option(args, '--dist') ?? join(here, '..', '..', 'dist')),
    screenshotDir: resolve(option(args, '--screenshots') ?? env.SIAGENT_SCREENSHOT_DIR ?? 'screenshots'),
    email: env.SIAGENT_EMAIL ?? 'admin@example.com',
    password: env.SIAGENT_PASSWORD ?? 'demo-password',
    appName: env.SIAGENT_APP ?? 'demo',
    hotFunction: env.SIAGENT_HOT_FUNCTION ?? 'render_response',
    chromium: env.SIAGENT_CHROMIUM ?? '/usr/bin/chromium',
    spans: env.SIAGENT_SPANS_APP ? {
      app: env.SIAGENT_SPANS_APP,
      span: env.SIAGENT_SPAN,
      hotFunction: env.SIAGENT_SPAN_HOT_FUNCTION,
      otherFunction: env.SIAGENT_SPAN_OTHER_FUNCTION,
    } : null,
  };
}
