/*
 * config.h: tallyd's configuration file, in the style of sshd_config.
 *
 * One "keyword value" per line, '#' starts a comment, blank lines are
 * ignored. Keywords are case-sensitive and may appear once. Unknown
 * keywords, missing required ones and bad values are E_CONFIG with a
 * "file:line: message" text. config_parse checks syntax and ranges only;
 * files named in the configuration are opened at start-up.
 */
#ifndef TALLYD_CONFIG_H
#define TALLYD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

struct config {
	char		*file;
	char		*listen_host;		/* numeric address */
	char		*listen_port;		/* "0" picks a free port */
	char		*data_dir;
	char		*ca_cert;
	char		*tls_cert;
	char		*tls_key;
	char		*ledger_key;
	char		*user;			/* NULL: no user given */
	char		*empty_dir;		/* the frontend's chroot */
	uint32_t	 workers;		/* 0: one per core */
	uint32_t	 max_connections;	/* authenticated sessions */
	uint32_t	 max_handshakes;	/* TLS handshakes in progress */
	uint32_t	 max_handshakes_per_source;
	uint32_t	 max_per_source;	/* sessions of one address */
	uint32_t	 max_frame;		/* terminals */
	uint32_t	 max_large_frame;	/* officials, trustees, auditors */
	uint32_t	 handshake_timeout;	/* seconds */
	uint32_t	 idle_timeout;		/* seconds */
	uint32_t	 request_timeout;	/* seconds */
	uint32_t	 max_buffer_memory;	/* large frames + answers, bytes */
	uint32_t	 max_downloads;		/* get_record at the ledger */
};

/* Parse path into *cfg (zeroed first). On E_CONFIG, err (errlen bytes)
 * holds "path:line: message". */
int config_parse(const char *path, struct config *cfg, char *err,
    size_t errlen);

/* Parse configuration text (for tests); name is used in messages. */
int config_parse_text(const char *name, const char *text, struct config *cfg,
    char *err, size_t errlen);

void config_clear(struct config *cfg);

#endif
