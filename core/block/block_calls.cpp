#include "core/block/block_calls.h"

namespace siagent {
namespace {

struct CallInfo {
    const char* name;
    BlockCategory category;
};

constexpr CallInfo kCalls[] = {
#define SIAGENT_BLOCK_CALL_INFO(call, category) {#call, BlockCategory::category},
    SIAGENT_BLOCK_CALLS(SIAGENT_BLOCK_CALL_INFO)
#undef SIAGENT_BLOCK_CALL_INFO
};

static_assert(sizeof kCalls / sizeof kCalls[0] == kBlockCalls);

}  // namespace

const char* block_call_name(BlockCall call) { return kCalls[static_cast<int>(call)].name; }

BlockCategory block_call_category(BlockCall call) {
    return kCalls[static_cast<int>(call)].category;
}

const char* block_category_name(BlockCategory category) {
    static constexpr const char* kNames[kBlockCategories] = {"io", "network", "lock", "wait",
                                                             "sleep"};
    return kNames[static_cast<int>(category)];
}

}  // namespace siagent
