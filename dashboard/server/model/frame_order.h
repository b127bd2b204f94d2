// Stack order across agents. Every view reads a tree whose root side is the outermost frame
// (an error profile's message is the leaf below its innermost frame). The original Python
// agent (1.2.x) writes its error profile the other way, innermost frame first below the
// root; its stacks are turned at ingest so that views, error sites and the error rule all
// read one order.
#pragma once

#include <string_view>

#include "dashboard/server/model/call_tree.h"

namespace siagent::dashboard {

// Whether the agent of `runtime_type` writes the profiles of `category` innermost first.
bool written_innermost_first(std::string_view runtime_type, std::string_view category);

// `tree` with the frames of every path reversed; a leaf that ends a path (the message of an
// error) stays last. Values stay inclusive.
CallTree with_paths_reversed(const CallTree& tree);

}  // namespace siagent::dashboard
