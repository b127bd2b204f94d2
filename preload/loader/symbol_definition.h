// Which loaded object defines a dynamic symbol, read from the objects' own symbol tables
// (their GNU hash tables) rather than asked of dlsym: dlsym(RTLD_DEFAULT, "malloc") answers
// a program built without -fPIE (node) with its own PLT stub, the function's canonical
// address, which says nothing of which library the stub jumps to.
//
// malloc-safe and signal-safe: reads mapped tables only (no allocation, no lock, no call
// into libc).
#pragma once

#include <link.h>

namespace siagent {

// The address of `object`'s own definition of the function `name` (a defined STT_FUNC
// symbol of its dynamic symbol table, found through DT_GNU_HASH), or nullptr: not defined
// there (an undefined import, a canonical PLT stub's entry), an indirect function (its
// resolver would have to run), or an object without a GNU hash table.
void* own_definition(const link_map* object, const char* name);

// Whether `object` defines the function `name` itself (an indirect function too): not an
// undefined import, nor a canonical PLT stub's entry.
bool defines(const link_map* object, const char* name);

// The first object before `self` in the loader's list (the program, then the libraries
// preloaded ahead of it) that defines the function `name` (an indirect function too), or
// nullptr.
const link_map* defined_ahead_of(const link_map* self, const char* name);

}  // namespace siagent
