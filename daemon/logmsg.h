/*
 * logmsg.h: tallyd's log output, in syslog style.
 *
 * Messages go to stderr when tallyd runs in the foreground (-d, -n, tests)
 * and to syslog(LOG_DAEMON) otherwise. Each process names itself once
 * (parent, frontend, ledger). Never pass ballot contents, credentials or
 * client addresses in the same message as anything about a ballot.
 */
#ifndef TALLYD_LOGMSG_H
#define TALLYD_LOGMSG_H

#include <stdarg.h>

void log_init(int foreground, const char *procname);
void log_setproc(const char *procname);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warnx plus ": strerror(errno)". */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(1): start-up failures and broken invariants only. */
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

extern int log_verbose;

#endif
