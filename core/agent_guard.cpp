#include "core/agent_guard.h"

namespace siagent {

thread_local constinit int agent_code_depth __attribute__((tls_model("initial-exec"))) = 0;

}  // namespace siagent
