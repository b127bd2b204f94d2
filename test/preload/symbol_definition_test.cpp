#include "preload/loader/symbol_definition.h"

#include <dlfcn.h>
#include <link.h>

#include <catch2/catch.hpp>

using namespace siagent;

namespace {

const link_map* loaded(const char* name) {
    void* handle = dlopen(name, RTLD_NOW | RTLD_NOLOAD);
    REQUIRE(handle != nullptr);
    link_map* map = nullptr;
    REQUIRE(dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0);
    dlclose(handle);
    return map;
}

}  // namespace

TEST_CASE("an object's own definition of a function is read from its symbol table") {
    const link_map* libc = loaded("libc.so.6");
    void* handle = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    CHECK(own_definition(libc, "malloc") == dlsym(handle, "malloc"));
    CHECK(own_definition(libc, "free") == dlsym(handle, "free"));
    dlclose(handle);
    CHECK(own_definition(libc, "siagent_no_such_function") == nullptr);
    CHECK(own_definition(libc, "") == nullptr);
    CHECK(defines(libc, "malloc"));
    // An indirect function (libc's strlen picks an implementation per CPU): defined, but its
    // address is its resolver's to give. memcpy's default version is one too; its older
    // version (memcpy@GLIBC_2.2.5), a plain function, is not what an unversioned call binds to.
    CHECK(defines(libc, "strlen"));
    CHECK(own_definition(libc, "strlen") == nullptr);
    CHECK(defines(libc, "memcpy"));
    CHECK(own_definition(libc, "memcpy") == nullptr);
    // The program imports malloc and defines none.
    const link_map* program = loaded(nullptr);
    CHECK(own_definition(program, "malloc") == nullptr);
    CHECK_FALSE(defines(program, "malloc"));
    CHECK_FALSE(defines(nullptr, "malloc"));
}

TEST_CASE("the first definition ahead of an object is found in load order") {
    const link_map* libc = loaded("libc.so.6");
    // Nothing before libc (the program, the C++ runtime) defines malloc; libc comes before
    // the dynamic loader.
    CHECK(defined_ahead_of(libc, "malloc") == nullptr);
    const link_map* last = libc;
    while (last->l_next != nullptr) last = last->l_next;
    CHECK(defined_ahead_of(last, "malloc") == libc);
    CHECK(defined_ahead_of(nullptr, "malloc") == nullptr);
}
