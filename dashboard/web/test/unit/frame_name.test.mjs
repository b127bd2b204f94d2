import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFrameName, formatLocation, shortFrameLabel } from '../../src/lib/frame_name.js';

test('frame name with file and line', () => {
  assert.deepEqual(parseFrameName('render_response (demo.cpp:42)'),
    { function: 'render_response', file: 'demo.cpp', line: 42 });
});

test('frame name with a Node.js column', () => {
  assert.deepEqual(parseFrameName('handler (/srv/app.js:10:5)'),
    { function: 'handler', file: '/srv/app.js', line: 10 });
});

test('frame name with a file but no line', () => {
  assert.deepEqual(parseFrameName('memcpy (libc.so.6)'),
    { function: 'memcpy', file: 'libc.so.6', line: null });
});

test('frame names whose function has parentheses', () => {
  assert.deepEqual(parseFrameName('Foo::operator()(int) const (foo.cpp:7)'),
    { function: 'Foo::operator()(int) const', file: 'foo.cpp', line: 7 });
  assert.deepEqual(parseFrameName('std::function<void ()>::operator()() const'),
    { function: 'std::function<void ()>::operator()() const', file: null, line: null });
});

test('Node.js anonymous frames and Python allocation frames (recorded from the agents)', () => {
  assert.deepEqual(parseFrameName(' (/tmp/rec/node/node_app.js:20:47)'),
    { function: '(anonymous)', file: '/tmp/rec/node/node_app.js', line: 20 });
  assert.deepEqual(parseFrameName('py_app.py:19'), { function: 'py_app.py:19', file: 'py_app.py', line: 19 });
  assert.deepEqual(parseFrameName('std::chrono::foo:3'), { function: 'std::chrono::foo:3', file: null, line: null });
  assert.deepEqual(parseFrameName('worker:3'), { function: 'worker:3', file: null, line: null });
});

test('bare names and odd input', () => {
  assert.deepEqual(parseFrameName('io'), { function: 'io', file: null, line: null });
  assert.deepEqual(parseFrameName(undefined), { function: '', file: null, line: null });
});

test('locations read file:line', () => {
  assert.equal(formatLocation('a.cpp', 3), 'a.cpp:3');
  assert.equal(formatLocation('libfoo.so', 0), 'libfoo.so');  // unsymbolized: no ":0"
  assert.equal(formatLocation('a.cpp', null), 'a.cpp');
  assert.equal(formatLocation(null, 3), '');
});

test('flame graph labels are short; the full name stays for tooltips', () => {
  assert.equal(shortFrameLabel('(anonymous namespace)::score_items() (../../checkout/test/programs/demo.cpp:88)'),
    'score_items() (demo.cpp:88)');
  assert.equal(shortFrameLabel('main (demo.cpp:3)'), 'main (demo.cpp:3)');
  assert.equal(shortFrameLabel('libstdc++.so.6+0x9a26c'), 'libstdc++.so.6+0x9a26c');
  assert.equal(shortFrameLabel('/app/worker.py:21'), '/app/worker.py:21');
  assert.equal(shortFrameLabel('processRequest (/app/server.js:12:9)'), 'processRequest (server.js:12)');
});
