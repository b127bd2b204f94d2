// Loads and unloads a library that allocates (test/programs/plugin_alloc.cpp) many times,
// freeing after dlclose a block the library allocated. Prints the rounds done.
// Usage: alloc_dlopen PLUGIN [rounds, default 50]
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc < 2) return 64;
    int rounds = argc > 2 ? atoi(argv[2]) : 50;
    for (int round = 0; round < rounds; ++round) {
        void* library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
        if (library == nullptr) {
            fprintf(stderr, "dlopen: %s\n", dlerror());
            return 1;
        }
        auto allocate = reinterpret_cast<void* (*)(int)>(dlsym(library, "plugin_allocate"));
        char* given = static_cast<char*>(allocate(2000));
        dlclose(library);
        if (given[4095] != 1) return 2;
        delete[] given;
    }
    printf("%d rounds\n", rounds);
    return 0;
}
