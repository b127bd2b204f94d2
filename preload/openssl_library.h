// libsiagent-tls.so: OpenSSL (linked in statically, its symbols hidden), loaded by the
// agent for its first exchange with the dashboard rather than with the agent library.
// OpenSSL's relocations were most of the agent library's (18,500 of 20,600) and about
// 2.4 ms of CPU in every process the agent started in; a process that ends before it
// talks to the dashboard, or that only writes local files, never maps it.
#pragma once

// Agent thread, normal context (transport/openssl_lifetime.cpp calls it before the first
// OpenSSL call). Loads the library once and fills the stubs' slots; true when OpenSSL is
// there. A library that cannot be loaded is said once on stderr, and the dashboard then
// gets nothing from this process. Stays loaded.
extern "C" bool siagent_load_openssl();
