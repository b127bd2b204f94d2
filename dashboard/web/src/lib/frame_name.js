// Splits a frame name as agents send it into function and location.
// Forms (protocol.md): "function (file:line)", "function (file:line:column)" (Node.js),
// " (file:line:column)" (Node.js, an anonymous function: "(anonymous)"), "file:line"
// (Python's allocation frames: the whole name stays the function), "function (file)", or a
// bare "function". Function names may themselves contain parentheses ("operator()(int)",
// "std::function<void ()>"), so only a final " (location)" group without inner parentheses
// counts as the location. The server's parser (dashboard/server/model/frame_name.cpp) reads the
// same forms.

const LOCATION_SUFFIX = /^(.*\S)\s+\(([^()]+?)(?::(\d+))?(?::(\d+))?\)$/;
const ANONYMOUS = /^\s+\(([^()]+?)(?::(\d+))?(?::(\d+))?\)$/;
const BARE_FILE_LINE = /^([^\s()]*[/.][^\s()]*?):(\d+)$/;

export const ANONYMOUS_FUNCTION = '(anonymous)';

/** @returns {{function: string, file: string|null, line: number|null}} */
export function parseFrameName(name) {
  const text = String(name ?? '');
  const bare = BARE_FILE_LINE.exec(text);
  if (bare && !bare[1].includes('::')) return { function: text, file: bare[1], line: Number(bare[2]) };
  const anonymous = ANONYMOUS.exec(text);
  if (anonymous) {
    return {
      function: ANONYMOUS_FUNCTION,
      file: anonymous[1],
      line: anonymous[2] === undefined ? null : Number(anonymous[2]),
    };
  }
  const match = LOCATION_SUFFIX.exec(text);
  if (!match) return { function: text, file: null, line: null };
  return {
    function: match[1],
    file: match[2],
    line: match[3] === undefined ? null : Number(match[3]),
  };
}

/** "file:line", "file", or "" — how the tables show a location (line 0: unknown, not shown). */
export function formatLocation(file, line) {
  if (!file) return '';
  return line === null || line === undefined || line <= 0 ? file : `${file}:${line}`;
}

/** The identity of a function across trees and tables: function + file + line. */
export function functionKey(entry) {
  return `${entry.function}\u0000${entry.file ?? ''}\u0000${entry.line ?? ''}`;
}

/**
 * A frame's name as a flame graph labels it, short enough to read in a narrow frame:
 * without "(anonymous namespace)::" and with its file's directories left out
 * ("score_items (demo.cpp:88)" for "(anonymous namespace)::score_items
 * (../../checkout/test/programs/demo.cpp:88)"). The full name stays in the tooltip.
 */
export function shortFrameLabel(name) {
  const { function: fn, file, line } = parseFrameName(name);
  const shortFunction = fn.replaceAll('(anonymous namespace)::', '');
  if (!file || fn === String(name)) return shortFunction;
  const base = file.slice(file.lastIndexOf('/') + 1);
  return `${shortFunction} (${formatLocation(base, line)})`;
}
