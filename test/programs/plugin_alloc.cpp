// A library that allocates while loaded and frees at unload (a static object's
// destructor), plus one block it hands to its caller to free after dlclose.
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

struct Holdings {
    std::vector<void*> blocks;
    ~Holdings() {
        for (void* block : blocks) free(block);
    }
};
Holdings holdings;

}  // namespace

extern "C" __attribute__((visibility("default"))) void* plugin_allocate(int count) {
    for (int i = 0; i < count; ++i) {
        holdings.blocks.push_back(malloc(64 + i * 16));
        memset(holdings.blocks.back(), i, 64 + i * 16);
    }
    char* given = new char[4096];
    memset(given, 1, 4096);
    return given;
}
