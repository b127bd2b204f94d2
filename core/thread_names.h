// Thread names (/proc/self/task/<tid>/comm) for labelling samples. Agent thread only.
#pragma once

#include <sys/types.h>

#include <string>
#include <unordered_map>

namespace siagent {

class ThreadNames {
public:
    // The name the thread had when first asked about since the last clear(); empty when
    // the thread is already gone.
    const std::string& name_of(pid_t tid);
    // Forget all names (each report period), so renamed and recycled threads show anew.
    void clear() { names_.clear(); }

private:
    std::unordered_map<pid_t, std::string> names_;
};

}  // namespace siagent
