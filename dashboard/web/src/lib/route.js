// Hash routes: "#/path/segments?key=value&...". The hash keeps the whole view state
// (page, tab, range, filters) so a URL can be shared and reloaded.

/** "#/apps/3/cpu?range=6h" → {segments: ["apps", "3", "cpu"], params: {range: "6h"}} */
export function parseRoute(hash) {
  const text = String(hash ?? '').replace(/^#/, '');
  const [path, query = ''] = text.split('?', 2);
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = Object.fromEntries(new URLSearchParams(query));
  return { segments, params };
}

/** Inverse of parseRoute; empty or null parameters are left out. */
export function formatRoute(segments, params = {}) {
  const path = '#/' + segments.map((s) => encodeURIComponent(String(s))).join('/');
  const kept = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (kept.length === 0) return path;
  return `${path}?${new URLSearchParams(kept).toString()}`;
}
