/* main.c: tally-keys command dispatch and the helpers every command shares. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "keys.h"
#include "version.h"

static const char usage_main[] =
    "usage: tally-keys COMMAND ...\n"
    "       tally-keys --version\n"
    "  ca init DIR\n"
    "  cert issue DIR --role terminal|official|trustee|auditor|daemon "
    "--name NAME\n"
    "  ledger-key DIR\n"
    "  witness-key DIR\n"
    "  trustee init|share|finish --ceremony CDIR --index I "
    "[--of N --quorum K]\n"
    "  ceremony CDIR --trustees N --quorum K\n"
    "  credentials generate --count N --votes ID[,ID...] --out DIR\n"
    "Each command takes --help.\n";

int
keys_fail(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tally-keys: %s: ", tally_errname(err));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return KEYS_EXIT_FAIL;
}

int
keys_usage(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tally-keys: %s: ", tally_errname(TALLY_ERR_INVALID_ARG));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage, stderr);
	return KEYS_EXIT_USAGE;
}

char *
keys_path(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) == -1)
		return NULL;
	return p;
}

int
keys_need_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		return TALLY_ERR_NOT_FOUND;
	return 0;
}

int
keys_make_dir(const char *dir)
{
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return errno == ENOENT ? TALLY_ERR_NOT_FOUND : TALLY_ERR_IO;
	return keys_need_dir(dir);
}

int
keys_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len < 1 || len > 64 || name[0] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_' ||
		    name[i] == '-' || name[i] == '.'))
			return 0;
	return 1;
}

int
keys_parse(int argc, char **argv, const struct keys_opt *opts, size_t nopts,
    const char **pos, size_t npos, const char *usage)
{
	size_t np = 0, o;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return -1;
		}
		if (strncmp(argv[i], "--", 2) != 0) {
			if (np == npos)
				return keys_usage(usage, "unexpected argument %s",
				    argv[i]);
			pos[np++] = argv[i];
			continue;
		}
		for (o = 0; o < nopts; o++)
			if (strcmp(argv[i] + 2, opts[o].name) == 0)
				break;
		if (o == nopts)
			return keys_usage(usage, "unknown option %s", argv[i]);
		if (*opts[o].val != NULL)
			return keys_usage(usage, "%s given twice", argv[i]);
		if (i + 1 == argc)
			return keys_usage(usage, "%s needs a value", argv[i]);
		*opts[o].val = argv[++i];
	}
	if (np != npos)
		return keys_usage(usage, "missing argument");
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
	{"ca", cmd_ca},
	{"cert", cmd_cert},
	{"ledger-key", cmd_ledger_key},
	{"witness-key", cmd_witness_key},
	{"trustee", cmd_trustee},
	{"ceremony", cmd_ceremony},
	{"credentials", cmd_credentials},
};

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return keys_usage(usage_main, "missing command");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 && argc == 2) {
		version_print(stdout, "tally-keys");
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	return keys_usage(usage_main, "unknown command %s", argv[1]);
}
