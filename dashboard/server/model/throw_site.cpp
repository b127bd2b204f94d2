#include "dashboard/server/model/throw_site.h"

#include <array>
#include <cctype>

namespace siagent::dashboard {
namespace {

// Length of the run of hex digits after a "0x" at `at`, 0 when there is none.
size_t hex_digits_at(std::string_view text, size_t at) {
    if (text.substr(at, 2) != "0x") return 0;
    size_t end = at + 2;
    while (end < text.size() && std::isxdigit(static_cast<unsigned char>(text[end])) != 0) ++end;
    return end - at - 2;
}

// "module+0xOFFSET": the position of the '+', or npos.
size_t module_offset_split(std::string_view frame) {
    const size_t plus = frame.rfind("+0x");
    if (plus == std::string_view::npos || plus == 0) return std::string_view::npos;
    const size_t digits = hex_digits_at(frame, plus + 1);
    return digits > 0 && plus + 3 + digits == frame.size() ? plus : std::string_view::npos;
}

// The module an unnamed frame names ("libc.so.6" of "libc.so.6+0x8aeb" or of "0x7f… (libc.so.6)"),
// "" when it names none.
std::string_view module_of_unnamed(std::string_view frame) {
    if (const size_t plus = module_offset_split(frame); plus != std::string_view::npos) return frame.substr(0, plus);
    const size_t open = frame.find(" (");
    if (open == std::string_view::npos) return {};
    return frame.substr(open + 2, frame.size() - open - 3);
}

// Functions that only carry a crash to the signal (glibc, libstdc++, libgcc).
constexpr std::array<std::string_view, 30> kDeliveryFunctions{
    "__pthread_kill_implementation", "__pthread_kill_internal", "__pthread_kill", "pthread_kill",
    "__GI_raise", "raise", "gsignal", "__GI_abort", "abort", "__libc_message", "__libc_fatal",
    "__assert_fail_base", "__assert_fail", "__assert_perror_fail", "__fortify_fail", "__chk_fail",
    "__stack_chk_fail", "malloc_printerr", "__malloc_assert", "__restore_rt", "__cxa_throw",
    "__cxa_rethrow", "__cxa_call_terminate", "__cxa_pure_virtual", "_Unwind_RaiseException",
    "_Unwind_Resume", "std::terminate", "std::__terminate", "__cxxabiv1::__terminate",
    "__gnu_cxx::__verbose_terminate_handler"};

// Modules whose unnamed frames are delivery too.
constexpr std::array<std::string_view, 7> kRuntimeModules{
    "libc.so", "libc-", "libstdc++", "libgcc_s", "libsiagent", "ld-linux", "libpthread"};

// The function of a frame name: without its " (file:line)" location and its parameters.
std::string_view function_of(std::string_view frame) {
    if (const size_t location = frame.rfind(" ("); location != std::string_view::npos && frame.back() == ')')
        frame = frame.substr(0, location);
    if (frame.size() > 2 && frame.back() == ')') {
        int depth = 0;
        for (size_t i = frame.size(); i-- > 0;) {
            depth += frame[i] == ')' ? 1 : frame[i] == '(' ? -1 : 0;
            if (depth == 0) return i > 0 ? frame.substr(0, i) : frame;
        }
    }
    return frame;
}

bool delivers_crash(const std::string& frame) {
    if (is_unnamed_frame(frame)) {
        const std::string_view module = module_of_unnamed(frame);
        if (module.empty()) return true;
        for (std::string_view runtime : kRuntimeModules)
            if (module.compare(0, runtime.size(), runtime) == 0) return true;
        return false;
    }
    const std::string_view function = function_of(frame);
    if (function.substr(0, 9) == "siagent::") return true;
    for (std::string_view delivery : kDeliveryFunctions)
        if (function == delivery) return true;
    return false;
}

}  // namespace

bool is_unnamed_frame(std::string_view frame) {
    if (module_offset_split(frame) != std::string_view::npos) return true;
    const size_t digits = hex_digits_at(frame, 0);
    if (digits == 0) return false;
    const std::string_view rest = frame.substr(2 + digits);
    return rest.empty() || (rest.substr(0, 2) == " (" && rest.back() == ')');
}

std::string throw_site(const std::vector<std::string>& frames) {
    for (const std::string& frame : frames)
        if (!is_unnamed_frame(frame)) return frame;
    return frames.empty() ? "" : std::string(module_of_unnamed(frames.front()));
}

std::vector<std::string> program_frames(const std::vector<std::string>& frames) {
    size_t first = 0;
    while (first < frames.size() && delivers_crash(frames[first])) ++first;
    if (first == frames.size()) return frames;
    return {frames.begin() + static_cast<std::ptrdiff_t>(first), frames.end()};
}

std::string crash_site(const std::vector<std::string>& frames) { return throw_site(program_frames(frames)); }

}  // namespace siagent::dashboard
