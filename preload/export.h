// How the library exports a name it interposes: default visibility (the libraries build
// with hidden visibility; preload/exports.map and agent_exports.map say which names each
// library finally exports). SIAGENT_EXPORT for C functions, SIAGENT_EXPORT_CXX for C++
// ones (operator new and delete).
#pragma once

#define SIAGENT_EXPORT extern "C" __attribute__((visibility("default")))
#define SIAGENT_EXPORT_CXX __attribute__((visibility("default")))

// For the hottest entry points (malloc, free, the first stage's forwarders): no frame
// pointer of their own. Those that end in a tail call then never have a frame on a stack
// an unwinder walks; libunwind reads CFI, not frame pointers, for the others.
#define SIAGENT_NO_FRAME_POINTER __attribute__((optimize("omit-frame-pointer")))
