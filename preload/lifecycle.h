// What the interposers need from the agent's life cycle (preload/agent_main.cpp).
#pragma once

namespace siagent {

// Ends the agent thread for a moment so the process has only the application's threads,
// for calls that refuse to run in a multi-threaded process. Returns whether it did.
bool pause_agent_thread();
// Starts it again after pause_agent_thread() returned true.
void resume_agent_thread();

}  // namespace siagent
