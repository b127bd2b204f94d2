// Errors as values for the server: a Failure carries the HTTP status it maps to and a short
// reason that is safe to show to the client (never a secret, never internal state).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace siagent::dashboard {

struct Failure {
    int status = 400;
    std::string reason;
};

template <class T>
class Result {
public:
    Result(T value) : state_(std::move(value)) {}
    Result(Failure failure) : state_(std::move(failure)) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(state_); }
    const T& value() const { return std::get<0>(state_); }
    T* operator->() { return &value(); }
    const Failure& failure() const { return std::get<1>(state_); }

private:
    std::variant<T, Failure> state_;
};

}  // namespace siagent::dashboard
