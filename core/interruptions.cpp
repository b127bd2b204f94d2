#include "core/interruptions.h"

namespace siagent {

thread_local constinit uint32_t agent_signals __attribute__((tls_model("initial-exec"))) = 0;
thread_local constinit uint32_t application_signals __attribute__((tls_model("initial-exec"))) = 0;

}  // namespace siagent
