/*
 * keys.h: the commands of tally-keys and what they share: one-line errors
 * ("tally-keys: E_CODE: message", exit 1; usage errors exit 2), private
 * files written 0600 and refused when group- or world-accessible.
 */
#ifndef TALLY_KEYS_H
#define TALLY_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define KEYS_EXIT_FAIL 1
#define KEYS_EXIT_USAGE 2

/* Print "tally-keys: E_CODE: message" and return KEYS_EXIT_FAIL. */
int keys_fail(int err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print the usage error and the command's usage; return KEYS_EXIT_USAGE. */
int keys_usage(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "DIR/NAME" into a fresh string, or NULL. */
char *keys_path(const char *dir, const char *name);
/* E_NOT_FOUND unless dir is an existing folder. */
int keys_need_dir(const char *dir);
/* mkdir dir (0700) unless it exists; the parent must exist. */
int keys_make_dir(const char *dir);
/* Strict NAME for files: [A-Za-z0-9_-][A-Za-z0-9._-]{0,63}. */
int keys_name_valid(const char *name);

/* Options "--name VALUE" (each at most once) and exactly npos positional
 * arguments from argv[0..argc). Returns 0, KEYS_EXIT_USAGE after printing
 * the error, or -1 after printing usage for --help. */
struct keys_opt {
	const char *name;
	const char **val;
};
int keys_parse(int argc, char **argv, const struct keys_opt *opts,
    size_t nopts, const char **pos, size_t npos, const char *usage);

int cmd_ca(int argc, char **argv);
int cmd_cert(int argc, char **argv);
int cmd_ledger_key(int argc, char **argv);
int cmd_witness_key(int argc, char **argv);
int cmd_trustee(int argc, char **argv);
int cmd_ceremony(int argc, char **argv);
int cmd_credentials(int argc, char **argv);

#endif
