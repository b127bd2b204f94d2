// The start of the agent library's fork-child data (core/fork_child_code.h), page-aligned.
// This file is the library's first object, so its part of the section comes first: the
// output section starts a page, and the rest (about 3.5 KiB) follows in the same page.
#include "core/fork_child_code.h"

namespace {

[[gnu::used]] alignas(4096) SIAGENT_FORK_CHILD_DATA char fork_child_data_start = 0;

}  // namespace
