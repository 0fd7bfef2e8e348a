/* util.c: files, parsing and codecs shared by every program. */
#include "util.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "err.h"

void
util_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void
util_freezero(void *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

int
util_read_file(const char *path, size_t max, uint8_t **out, size_t *len)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, ret = TALLY_ERR_IO;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? TALLY_ERR_NOT_FOUND : TALLY_ERR_IO;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		goto out;
	if ((uint64_t)st.st_size > max) {
		ret = TALLY_ERR_TOO_LARGE;
		goto out;
	}
	if ((buf = calloc(1, (size_t)st.st_size + 1)) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		got += (size_t)n;
	}
	*out = buf;
	*len = got;
	buf = NULL;
	ret = 0;
out:
	util_freezero(buf, buf ? (size_t)st.st_size + 1 : 0);
	close(fd);
	return ret;
}

int
util_sync_parent(const char *path)
{
	char *copy = strdup(path), *dir;
	int fd, ret = TALLY_ERR_IO;

	if (copy == NULL)
		return TALLY_ERR_NOMEM;
	dir = dirname(copy);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		if (fsync(fd) == 0)
			ret = 0;
		close(fd);
	}
	free(copy);
	return ret;
}

static int
write_all(int fd, const void *p, size_t len)
{
	const uint8_t *b = p;
	ssize_t n;

	while (len > 0) {
		n = write(fd, b, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return TALLY_ERR_IO;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

int
util_write_file(const char *path, const void *p, size_t len, mode_t mode,
    int exclusive)
{
	char tmp[4096];
	uint8_t rnd[8];
	char hex[17];
	int fd = -1, ret = TALLY_ERR_IO;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return TALLY_ERR_CRYPTO;
	util_hex(hex, rnd, sizeof(rnd));
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-%s", path, hex) >=
	    sizeof(tmp))
		return TALLY_ERR_INVALID_ARG;
	if (exclusive && access(path, F_OK) == 0)
		return TALLY_ERR_EXISTS;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1)
		return errno == ENOENT ? TALLY_ERR_NOT_FOUND : TALLY_ERR_IO;
	if (fchmod(fd, mode) == -1 || (ret = write_all(fd, p, len)) != 0 ||
	    fsync(fd) == -1) {
		ret = ret ? ret : TALLY_ERR_IO;
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		ret = TALLY_ERR_IO;
		goto fail;
	}
	fd = -1;
	if (exclusive) {
		/* link() refuses an existing target, unlike rename(). */
		if (link(tmp, path) == -1) {
			ret = errno == EEXIST ? TALLY_ERR_EXISTS : TALLY_ERR_IO;
			goto fail;
		}
		unlink(tmp);
	} else if (rename(tmp, path) == -1) {
		ret = TALLY_ERR_IO;
		goto fail;
	}
	return util_sync_parent(path);
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return ret;
}

int
util_check_private(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return errno == ENOENT ? TALLY_ERR_NOT_FOUND : TALLY_ERR_IO;
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		return TALLY_ERR_PERM;
	return 0;
}

int
util_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;
	const char *c;

	if (s == NULL || *s == '\0')
		return TALLY_ERR_INVALID_ARG;
	for (c = s; *c != '\0'; c++)
		if (!isdigit((unsigned char)*c))
			return TALLY_ERR_INVALID_ARG;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return TALLY_ERR_INVALID_ARG;
	*out = v;
	return 0;
}

int
util_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int ret;

	if ((ret = util_parse_u64(s, min, max, &v)) != 0)
		return ret;
	*out = (uint32_t)v;
	return 0;
}

void
util_hex(char *out, const uint8_t *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
util_unhex(uint8_t *out, size_t len, const char *s)
{
	size_t i;
	int hi, lo;

	if (strlen(s) != 2 * len)
		return TALLY_ERR_DECODE;
	for (i = 0; i < len; i++) {
		hi = hexval((unsigned char)s[2 * i]);
		lo = hexval((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return TALLY_ERR_DECODE;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t
util_base32(char *out, const uint8_t *p, size_t len)
{
	size_t i, o = 0;
	unsigned int acc = 0, bits = 0;

	for (i = 0; i < len; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32_alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	return o;
}

int
util_unbase32(uint8_t *out, size_t len, const char *s)
{
	size_t o = 0;
	unsigned int acc = 0, bits = 0;
	const char *hit;
	int c;

	for (; *s != '\0'; s++) {
		if (*s == '-' || *s == ' ')
			continue;
		c = toupper((unsigned char)*s);
		if (c == '\0' || (hit = strchr(b32_alphabet, c)) == NULL)
			return TALLY_ERR_DECODE;
		acc = (acc << 5) | (unsigned int)(hit - b32_alphabet);
		bits += 5;
		if (bits >= 8) {
			if (o == len)
				return TALLY_ERR_TRAILING;
			out[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
		acc &= (1u << bits) - 1;
	}
	if (o != len)
		return TALLY_ERR_TRUNCATED;
	if (bits >= 5 || acc != 0)
		return TALLY_ERR_DECODE;
	return 0;
}
