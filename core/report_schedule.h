// When reports are made.
//
// A report is built every SI_REPORT_INTERVAL and at exit. Some processes end without any
// exit code of theirs running: a Go program (even one using cgo, so dynamically linked and
// preloaded) ends with a raw exit_group system call, which runs no destructor and no atexit
// handler, so its last period would be lost whole. Such processes report often instead, so
// that an unseen exit loses at most a few seconds: every second for their first five
// seconds (a short run still leaves its profiles), then every five seconds, and never less
// often than SI_REPORT_INTERVAL says.
#pragma once

#include <cstdint>

namespace siagent {

// Milliseconds from a report (or the start, `since_start_ms` = 0) to the next one.
uint64_t next_report_delay_ms(uint64_t interval_ms, bool exit_unseen, uint64_t since_start_ms);

// Whether the main executable is a Go program (its Go build-id note, read from the loaded
// program headers: no file is opened). Not signal-safe.
bool executable_is_go();

}  // namespace siagent
