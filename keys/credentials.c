/*
 * credentials.c: `credentials generate`: COUNT random cards, one registry
 * per vote and a printable sheet. Written into DIR:
 *
 *   cards/card-NNNNNN.txt   one card code and a newline (0600)
 *   registry-ID.txt         the registry of vote ID (credential.h format)
 *   cards.html              every card, one block each (0600: it is secret)
 *
 * Cards are numbered only to name the files; nothing on a card links it
 * to a registry entry without the seed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "credential.h"
#include "err.h"
#include "keys.h"
#include "util.h"

#define MAX_CARDS 1000000u
#define MAX_VOTES 64

static const char usage_cred[] =
    "usage: tally-keys credentials generate --count N --votes ID[,ID...] "
    "--out DIR\n"
    "  Write N cards (DIR/cards/, 0600), DIR/registry-ID.txt for each vote\n"
    "  and DIR/cards.html, a printable sheet with one card per block.\n";

struct gen {
	const char *out;
	uint32_t count;
	char *votes[MAX_VOTES];
	size_t nvotes;
	uint8_t (*seeds)[CRED_SEED_LEN];
	char **written; /* for undoing a failed run */
	size_t nwritten, capwritten;
	int made_cards;
};

static int
remember(struct gen *g, char *path)
{
	char **w;

	if (g->nwritten == g->capwritten) {
		g->capwritten = g->capwritten ? 2 * g->capwritten : 64;
		if ((w = reallocarray(g->written, g->capwritten,
		    sizeof(*w))) == NULL) {
			free(path);
			return TALLY_ERR_NOMEM;
		}
		g->written = w;
	}
	g->written[g->nwritten++] = path;
	return 0;
}

/* Write and remember path (taken over). */
static int
gen_write(struct gen *g, char *path, const void *p, size_t len, mode_t mode)
{
	int ret;

	if (path == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = util_write_file(path, p, len, mode, 1)) != 0) {
		keys_fail(ret, "cannot write %s", path);
		free(path);
		return ret;
	}
	return remember(g, path);
}

static void
gen_undo(struct gen *g)
{
	char *cd;
	size_t i;

	for (i = 0; i < g->nwritten; i++)
		unlink(g->written[i]);
	if (g->made_cards && (cd = keys_path(g->out, "cards")) != NULL) {
		rmdir(cd);
		free(cd);
	}
}

static void
gen_free(struct gen *g)
{
	size_t i;

	for (i = 0; i < g->nwritten; i++)
		free(g->written[i]);
	free(g->written);
	for (i = 0; i < g->nvotes; i++)
		free(g->votes[i]);
	if (g->seeds != NULL)
		util_freezero(g->seeds, (size_t)g->count * CRED_SEED_LEN);
}

static int
parse_votes(struct gen *g, const char *list)
{
	char *copy, *tok, *save = NULL;
	size_t i;
	int ret = 0;

	if ((copy = strdup(list)) == NULL)
		return keys_fail(TALLY_ERR_NOMEM, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok != NULL && ret == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		if (!credential_vote_id_valid(tok))
			ret = keys_fail(TALLY_ERR_INVALID_ARG, "bad vote id "
			    "\"%s\" (want [a-z0-9_-]{1,64})", tok);
		for (i = 0; i < g->nvotes && ret == 0; i++)
			if (strcmp(g->votes[i], tok) == 0)
				ret = keys_fail(TALLY_ERR_INVALID_ARG, "vote %s "
				    "given twice", tok);
		if (ret == 0 && g->nvotes == MAX_VOTES)
			ret = keys_fail(TALLY_ERR_TOO_LARGE, "more than %d "
			    "votes", MAX_VOTES);
		if (ret == 0 && (g->votes[g->nvotes++] = strdup(tok)) == NULL)
			ret = keys_fail(TALLY_ERR_NOMEM, "out of memory");
	}
	if (ret == 0 && g->nvotes == 0)
		ret = keys_fail(TALLY_ERR_INVALID_ARG, "no vote id in --votes");
	free(copy);
	return ret;
}

static int
write_cards(struct gen *g)
{
	char code[CRED_CODE_LEN + 2], name[64], *cd;
	uint32_t i;
	int ret;

	if ((cd = keys_path(g->out, "cards")) == NULL)
		return keys_fail(TALLY_ERR_NOMEM, "out of memory");
	if (mkdir(cd, 0700) == -1) {
		ret = keys_fail(errno == EEXIST ? TALLY_ERR_EXISTS : TALLY_ERR_IO,
		    "cannot make %s", cd);
		free(cd);
		return ret;
	}
	free(cd);
	g->made_cards = 1;
	for (i = 0; i < g->count; i++) {
		if ((ret = credential_seed_new(g->seeds[i])) != 0)
			return keys_fail(ret, "no randomness");
		if ((ret = credential_code(code, g->seeds[i])) != 0)
			return keys_fail(ret, "cannot encode a card");
		strcat(code, "\n");
		snprintf(name, sizeof(name), "cards/card-%06u.txt", i + 1);
		ret = gen_write(g, keys_path(g->out, name), code, strlen(code),
		    0600);
		OPENSSL_cleanse(code, sizeof(code));
		if (ret != 0)
			return ret;
	}
	return 0;
}

static int
write_registry(struct gen *g, const char *vote)
{
	uint8_t (*keys)[CRED_KEY_LEN];
	struct registry *r = NULL;
	char name[128], *txt = NULL;
	size_t len;
	uint32_t i;
	int ret = 0;

	if ((keys = calloc(g->count, CRED_KEY_LEN)) == NULL)
		return keys_fail(TALLY_ERR_NOMEM, "out of memory");
	for (i = 0; i < g->count && ret == 0; i++)
		ret = credential_derive(NULL, keys[i], g->seeds[i], vote);
	if (ret != 0 || (ret = registry_new(&r, vote,
	    (const uint8_t (*)[CRED_KEY_LEN])keys, g->count)) != 0 ||
	    (ret = registry_encode(r, &txt, &len)) != 0) {
		ret = keys_fail(ret, "cannot make the registry of %s", vote);
		goto out;
	}
	snprintf(name, sizeof(name), "registry-%s.txt", vote);
	ret = gen_write(g, keys_path(g->out, name), txt, len, 0644);
out:
	free(keys);
	free(txt);
	registry_free(r);
	return ret;
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
    "<title>tally ballot credential cards</title>\n<style>\n"
    "body { font-family: sans-serif; }\n"
    ".card { border: 1px dashed #000; padding: 1em; margin: 1em 0;\n"
    "        page-break-inside: avoid; width: 32em; }\n"
    ".code { font-family: monospace; font-size: 14pt; "
    "letter-spacing: 1px; }\n"
    "</style></head><body>\n";

static int
write_sheet(struct gen *g)
{
	char code[CRED_CODE_LEN + 1], *buf;
	size_t cap, o;
	uint32_t i;
	int n, ret;

	cap = sizeof(html_head) + 64 + (size_t)g->count * 256;
	if ((buf = calloc(1, cap)) == NULL)
		return keys_fail(TALLY_ERR_NOMEM, "out of memory");
	o = (size_t)snprintf(buf, cap, "%s", html_head);
	for (i = 0; i < g->count; i++) {
		if ((ret = credential_code(code, g->seeds[i])) != 0) {
			util_freezero(buf, cap);
			return keys_fail(ret, "cannot encode a card");
		}
		n = snprintf(buf + o, cap - o, "<div class=\"card\">"
		    "<h3>Ballot credential 选票凭证</h3>"
		    "<p class=\"code\">%s</p>"
		    "<p>Keep this card secret; type the code at the terminal."
		    "</p></div>\n", code);
		o += (size_t)n;
	}
	OPENSSL_cleanse(code, sizeof(code));
	o += (size_t)snprintf(buf + o, cap - o, "</body></html>\n");
	ret = gen_write(g, keys_path(g->out, "cards.html"), buf, o, 0600);
	util_freezero(buf, cap);
	return ret;
}

static int
generate(struct gen *g)
{
	size_t v;
	int ret;

	if ((ret = keys_make_dir(g->out)) != 0)
		return keys_fail(ret, "cannot make folder %s", g->out);
	if ((g->seeds = calloc(g->count, CRED_SEED_LEN)) == NULL)
		return keys_fail(TALLY_ERR_NOMEM, "out of memory");
	if ((ret = write_cards(g)) != 0)
		goto out;
	for (v = 0; v < g->nvotes && ret == 0; v++)
		ret = write_registry(g, g->votes[v]);
	if (ret == 0)
		ret = write_sheet(g);
out:
	if (ret != 0) {
		gen_undo(g);
		return KEYS_EXIT_FAIL;
	}
	printf("%u cards, %zu registries in %s\n", g->count, g->nvotes,
	    g->out);
	return 0;
}

int
cmd_credentials(int argc, char **argv)
{
	const char *count = NULL, *votes = NULL, *out = NULL;
	struct keys_opt opts[] = {{"count", &count}, {"votes", &votes},
	    {"out", &out}};
	struct gen g;
	int ret;

	if (argc < 2 || strcmp(argv[1], "generate") != 0) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			fputs(usage_cred, stdout);
			return 0;
		}
		return keys_usage(usage_cred, "expected: credentials generate");
	}
	if ((ret = keys_parse(argc - 2, argv + 2, opts, 3, NULL, 0,
	    usage_cred)) != 0)
		return ret < 0 ? 0 : ret;
	if (count == NULL || votes == NULL || out == NULL)
		return keys_usage(usage_cred, "--count, --votes and --out are "
		    "required");
	memset(&g, 0, sizeof(g));
	g.out = out;
	if (util_parse_u32(count, 1, MAX_CARDS, &g.count) != 0)
		return keys_fail(TALLY_ERR_INVALID_ARG, "--count must be in "
		    "1..%u, not %s", MAX_CARDS, count);
	if ((ret = parse_votes(&g, votes)) == 0)
		ret = generate(&g);
	gen_free(&g);
	return ret;
}
