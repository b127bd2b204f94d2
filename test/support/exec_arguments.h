// argv and envp arrays for execve, built from strings; the object owns their storage, so it
// must outlive the execve (or fork + execve) that uses them.
#pragma once

#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

extern char** environ;

namespace siagent::testing {

class ExecArguments {
public:
    // The environment is the current one, without the variables `drop` selects, with
    // `overrides` applied on top (an empty value removes the variable).
    ExecArguments(const std::vector<std::string>& argv, const std::map<std::string, std::string>& overrides,
                  const std::function<bool(const std::string&)>& drop = nullptr)
        : arguments_(argv) {
        std::map<std::string, std::string> merged;
        for (char** entry = environ; *entry != nullptr; ++entry) {
            const char* equals = strchr(*entry, '=');
            if (equals == nullptr) continue;
            std::string name(*entry, equals - *entry);
            if (!drop || !drop(name)) merged[name] = equals + 1;
        }
        for (const auto& [name, value] : overrides) {
            if (value.empty()) merged.erase(name);
            else merged[name] = value;
        }
        for (const auto& [name, value] : merged) environment_.push_back(name + "=" + value);
        for (auto& argument : arguments_) argument_pointers_.push_back(argument.data());
        argument_pointers_.push_back(nullptr);
        for (auto& entry : environment_) environment_pointers_.push_back(entry.data());
        environment_pointers_.push_back(nullptr);
    }

    ExecArguments(const ExecArguments&) = delete;
    ExecArguments& operator=(const ExecArguments&) = delete;

    const char* path() const { return arguments_.at(0).c_str(); }
    char* const* argv() { return argument_pointers_.data(); }
    char* const* envp() { return environment_pointers_.data(); }

private:
    std::vector<std::string> arguments_;
    std::vector<std::string> environment_;
    std::vector<char*> argument_pointers_;
    std::vector<char*> environment_pointers_;
};

}  // namespace siagent::testing
