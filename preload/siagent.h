/* siagent: continuous profiler for native programs. Public C API.
 *
 * Most programs need none of this: `LD_PRELOAD=libsiagent.so ./app` starts the agent from
 * the SI_* environment variables (docs/configuration.md). A program that links
 * libsiagent.so instead starts and stops the agent itself:
 *
 *     const char *options[] = {"SI_APP_NAME=checkout", "SI_OUTPUT_DIR=/var/lib/prof", NULL};
 *     if (si_start(options) != SIAGENT_OK) ...;
 *     ...
 *     si_destroy();
 *
 * Options are the same names and forms as the environment variables; an option given
 * here wins over the variable of the same name. Invalid values are reported on stderr
 * and replaced by the default, exactly as for the environment.
 */
#ifndef SIAGENT_H
#define SIAGENT_H

#ifdef __cplusplus
extern "C" {
#endif

enum siagent_status {
    SIAGENT_OK = 0,
    SIAGENT_ERROR_UNKNOWN_OPTION = -1, /* an option is not "SI_<known name>=value" */
    SIAGENT_ERROR_START_FAILED = -2    /* the agent could not start; the reason is on stderr */
};

/* Starts the agent, or restarts it with the new options when it is running.
 * `options` is a NULL-terminated array of "SI_NAME=value" strings, or NULL. Thread-safe. */
int si_start(const char *const *options);

/* Writes the last report (bounded to 2 s) and stops the agent. Safe to call when it is
 * not running. Thread-safe. */
void si_destroy(void);

#ifdef __cplusplus
}
#endif

#endif /* SIAGENT_H */
