/* config.c: the sshd_config-style parser of tallyd.conf. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "util.h"

#define CONFIG_MAX_SIZE	(64 * 1024)
#define MIB		(1024u * 1024u)

enum cfg_kind { K_LISTEN, K_PATH, K_NAME, K_U32 };

struct keyword {
	const char	*name;
	enum cfg_kind	 kind;
	size_t		 off;		/* offsetof into struct config */
	int		 required;
	uint32_t	 min, max, def;	/* K_U32 only */
};

#define OFF(f)	offsetof(struct config, f)
static const struct keyword keywords[] = {
	{ "listen", K_LISTEN, 0, 1, 0, 0, 0 },
	{ "data_dir", K_PATH, OFF(data_dir), 1, 0, 0, 0 },
	{ "ca_cert", K_PATH, OFF(ca_cert), 1, 0, 0, 0 },
	{ "tls_cert", K_PATH, OFF(tls_cert), 1, 0, 0, 0 },
	{ "tls_key", K_PATH, OFF(tls_key), 1, 0, 0, 0 },
	{ "ledger_key", K_PATH, OFF(ledger_key), 1, 0, 0, 0 },
	{ "user", K_NAME, OFF(user), 0, 0, 0, 0 },
	{ "empty_dir", K_PATH, OFF(empty_dir), 0, 0, 0, 0 },
	{ "workers", K_U32, OFF(workers), 0, 0, 256, 0 },
	{ "max_connections", K_U32, OFF(max_connections), 0, 1, 65536, 1024 },
	{ "max_handshakes", K_U32, OFF(max_handshakes), 0, 1, 65536, 128 },
	{ "max_handshakes_per_source", K_U32, OFF(max_handshakes_per_source),
	    0, 1, 65536, 16 },
	{ "max_per_source", K_U32, OFF(max_per_source), 0, 1, 65536, 64 },
	{ "max_frame", K_U32, OFF(max_frame), 0, 1024, 16 * MIB, 65536 },
	{ "max_large_frame", K_U32, OFF(max_large_frame), 0, 1024, 256 * MIB,
	    16 * MIB },
	{ "handshake_timeout", K_U32, OFF(handshake_timeout), 0, 1, 3600, 10 },
	{ "idle_timeout", K_U32, OFF(idle_timeout), 0, 1, 86400, 300 },
	{ "request_timeout", K_U32, OFF(request_timeout), 0, 1, 3600, 30 },
	{ "max_buffer_memory", K_U32, OFF(max_buffer_memory), 0, MIB,
	    4095 * MIB, 64 * MIB },
	{ "max_downloads", K_U32, OFF(max_downloads), 0, 1, 1024, 4 },
};
#define NKEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

struct parse {
	const char	*name;
	size_t		 line;
	char		*err;
	size_t		 errlen;
	int		 seen[NKEYWORDS];
};

static int __attribute__((format(printf, 2, 3)))
perr(struct parse *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%zu: %s", p->name, p->line, msg);
	return TALLY_ERR_CONFIG;
}

static int
value_is_clean(const char *v)
{
	for (; *v != '\0'; v++)
		if (!isprint((unsigned char)*v) || isspace((unsigned char)*v))
			return 0;
	return 1;
}

/* host:port with a numeric IPv4 host or [IPv6], port 0..65535. */
static int
set_listen(struct parse *p, struct config *cfg, const char *v)
{
	char host[64];
	const char *colon, *port;
	unsigned char addr[16];
	size_t hlen;
	uint32_t portnum;

	if (v[0] == '[') {
		if ((colon = strstr(v, "]:")) == NULL)
			return perr(p, "listen: expected [address]:port");
		hlen = (size_t)(colon - v - 1);
		port = colon + 2;
		v++;
	} else {
		if ((colon = strrchr(v, ':')) == NULL)
			return perr(p, "listen: expected address:port");
		hlen = (size_t)(colon - v);
		port = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return perr(p, "listen: bad address");
	memcpy(host, v, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, addr) != 1 &&
	    inet_pton(AF_INET6, host, addr) != 1)
		return perr(p, "listen: '%s' is not a numeric address", host);
	if ((port[0] == '0' && port[1] != '\0') ||
	    util_parse_u32(port, 0, 65535, &portnum) != 0)
		return perr(p, "listen: bad port '%s'", port);
	if ((cfg->listen_host = strdup(host)) == NULL ||
	    (cfg->listen_port = strdup(port)) == NULL)
		return TALLY_ERR_NOMEM;
	return 0;
}

static int
set_value(struct parse *p, struct config *cfg, const struct keyword *k,
    const char *v)
{
	char **sp = (char **)((char *)cfg + k->off);
	uint32_t *up = (uint32_t *)((char *)cfg + k->off);

	switch (k->kind) {
	case K_LISTEN:
		return set_listen(p, cfg, v);
	case K_PATH:
		if (v[0] != '/')
			return perr(p, "%s: path must be absolute", k->name);
		break;
	case K_NAME:
		if (strlen(v) > 32)
			return perr(p, "%s: name too long", k->name);
		break;
	case K_U32:
		if ((v[0] == '0' && v[1] != '\0') ||
		    util_parse_u32(v, k->min, k->max, up) != 0)
			return perr(p, "%s: '%s' is not a number in "
			    "[%u, %u]", k->name, v, k->min, k->max);
		return 0;
	}
	if ((*sp = strdup(v)) == NULL)
		return TALLY_ERR_NOMEM;
	return 0;
}

/* One line, already stripped of its comment and trailing blanks. */
static int
parse_line(struct parse *p, struct config *cfg, char *s)
{
	char *kw, *v, *end;
	size_t i;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return 0;
	kw = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s == '\0')
		return perr(p, "%s: missing value", kw);
	*s++ = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	v = s;
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	for (i = 0; i < NKEYWORDS; i++)
		if (strcmp(kw, keywords[i].name) == 0)
			break;
	if (i == NKEYWORDS)
		return perr(p, "unknown keyword '%s'", kw);
	if (p->seen[i])
		return perr(p, "%s: given twice", kw);
	if (*v == '\0' || !value_is_clean(v))
		return perr(p, "%s: expected one value", kw);
	p->seen[i] = 1;
	return set_value(p, cfg, &keywords[i], v);
}

static int
finish(struct parse *p, struct config *cfg)
{
	size_t i;
	uint32_t *up;

	for (i = 0; i < NKEYWORDS; i++) {
		if (p->seen[i])
			continue;
		if (keywords[i].required)
			return perr(p, "missing keyword '%s'",
			    keywords[i].name);
		if (keywords[i].kind == K_U32) {
			up = (uint32_t *)((char *)cfg + keywords[i].off);
			*up = keywords[i].def;
		}
	}
	if (cfg->max_large_frame < cfg->max_frame)
		return perr(p, "max_large_frame is below max_frame");
	if (cfg->empty_dir == NULL &&
	    (cfg->empty_dir = strdup("/var/empty")) == NULL)
		return TALLY_ERR_NOMEM;
	return 0;
}

int
config_parse_text(const char *name, const char *text, struct config *cfg,
    char *err, size_t errlen)
{
	struct parse p;
	char *copy, *line, *next, *hash;
	int ret = 0;

	memset(cfg, 0, sizeof(*cfg));
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.err = err;
	p.errlen = errlen;
	if ((copy = strdup(text)) == NULL)
		return TALLY_ERR_NOMEM;
	for (line = copy; line != NULL && ret == 0; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (next == NULL && *line == '\0')
			break;
		p.line++;
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		if (strchr(line, '\r') != NULL)
			ret = perr(&p, "carriage return in line");
		else
			ret = parse_line(&p, cfg, line);
	}
	if (ret == 0)
		ret = finish(&p, cfg);
	free(copy);
	if (ret == 0 && (cfg->file = strdup(name)) == NULL)
		ret = TALLY_ERR_NOMEM;
	if (ret != 0)
		config_clear(cfg);
	return ret;
}

int
config_parse(const char *path, struct config *cfg, char *err, size_t errlen)
{
	uint8_t *text;
	size_t len;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if ((ret = util_read_file(path, CONFIG_MAX_SIZE, &text, &len)) != 0) {
		snprintf(err, errlen, "%s:0: cannot read: %s", path,
		    tally_strerror(ret));
		return TALLY_ERR_CONFIG;
	}
	if (strlen((char *)text) != len) {
		snprintf(err, errlen, "%s:0: NUL byte in file", path);
		ret = TALLY_ERR_CONFIG;
	} else
		ret = config_parse_text(path, (char *)text, cfg, err, errlen);
	free(text);
	return ret;
}

void
config_clear(struct config *cfg)
{
	free(cfg->file);
	free(cfg->listen_host);
	free(cfg->listen_port);
	free(cfg->data_dir);
	free(cfg->ca_cert);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free(cfg->ledger_key);
	free(cfg->user);
	free(cfg->empty_dir);
	memset(cfg, 0, sizeof(*cfg));
}
