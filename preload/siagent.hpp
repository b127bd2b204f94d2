// siagent: the C++ span API, a scope around siagent.h's si_span_begin / si_span_end.
//
//     void handle(const Request& request) {
//         siagent::Span span("handle_request");
//         ...
//     }  // closed here, also when an exception leaves the scope
//
// Like the C calls, a no-op when the agent is not loaded.
#ifndef SIAGENT_HPP
#define SIAGENT_HPP

#include "siagent.h"

namespace siagent {

class Span {
public:
    struct Profiled {};  // tag: raise the thread's CPU sampling rate while the span is open

    explicit Span(const char* name) noexcept : handle_(si_span_begin(name)) {}
    Span(const char* name, Profiled) noexcept : handle_(si_span_begin_profiled(name)) {}
    ~Span() { si_span_end(handle_); }

    // Closes the span before the end of the scope; later calls do nothing.
    void end() noexcept {
        si_span_end(handle_);
        handle_ = 0;
    }

    Span(const Span&) = delete;
    Span& operator=(const Span&) = delete;

private:
    si_span_t handle_;
};

}  // namespace siagent

#endif  // SIAGENT_HPP
