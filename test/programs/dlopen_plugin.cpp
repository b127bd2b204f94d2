// Known truth: all CPU is spent in plugin_burn, inside a library loaded with dlopen after
// the agent started. Usage: dlopen_plugin PATH_TO_PLUGIN [units, default 100]
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    long units = argc > 2 ? strtol(argv[2], nullptr, 10) : 100;
    void* plugin = dlopen(argv[1], RTLD_NOW);
    if (plugin == nullptr) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    auto burn = reinterpret_cast<void (*)(long)>(dlsym(plugin, "plugin_burn"));
    if (burn == nullptr) return 1;
    burn(units);
    return 0;
}
