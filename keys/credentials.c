/*
 * credentials.c: `credentials generate`: COUNT random cards, one registry
 * per vote and a printable sheet. Written into DIR:
 *
 *   cards/card-NNNNNN.txt   one card code and a newline (0600)
 *   registry-ID.txt         the registry of vote ID (credential.h format)
 *   cards.html              every card with its QR code and instructions in
 *                           Chinese and English, eight to an A4 page with
 *                           cut lines (0600: it is secret)
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
#include <qrencode.h>

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
    "  and DIR/cards.html, printable A4 sheets of eight cards with QR codes.\n";

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

/* A4, eight cards a page (2 x 4, 95 x 68 mm), dashed cut lines with a
 * crop mark at each corner; nothing loaded from anywhere. */
static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n"
    "<title>选票卡 ballot cards</title>\n<style>\n"
    "@page { size: A4; margin: 8mm; }\n"
    "body { margin: 0; font-family: \"Noto Sans CJK SC\", \"Source Han "
    "Sans SC\", sans-serif; }\n"
    ".sheet { display: grid; grid-template-columns: 95mm 95mm; "
    "grid-auto-rows: 68mm; gap: 0; width: 190mm; }\n"
    ".card { position: relative; box-sizing: border-box; padding: 4mm; "
    "border: 0.2mm dashed #888; display: grid; grid-template-columns: "
    "30mm 1fr; gap: 3mm; align-items: start; page-break-inside: avoid; "
    "break-inside: avoid; }\n"
    ".card::before, .card::after { content: \"\"; position: absolute; "
    "width: 4mm; height: 4mm; border: 0.3mm solid #000; }\n"
    ".card::before { top: -2mm; left: -2mm; border-width: 0 0.3mm 0.3mm 0; }\n"
    ".card::after { bottom: -2mm; right: -2mm; border-width: 0.3mm 0 0 0.3mm; }\n"
    ".qr svg { width: 30mm; height: 30mm; display: block; }\n"
    "h3 { margin: 0 0 1mm; font-size: 11pt; }\n"
    "p { margin: 0 0 1.2mm; font-size: 7.5pt; line-height: 1.3; }\n"
    ".code { grid-column: 1 / 3; font-family: monospace; font-size: 10pt; "
    "letter-spacing: .3px; word-break: break-all; margin: 0; }\n"
    ".sheet:nth-of-type(n+2) { page-break-before: always; }\n"
    "</style></head><body>\n";

static const char card_text[] =
    "<div><h3>选票卡 · Ballot card</h3>"
    "<p>请妥善保管，不要让他人看到。在投票终端扫描二维码，或输入下方代码。"
    "“核验”不会用掉本卡；在一项表决中投出后，本卡不能再用于该项表决。</p>"
    "<p lang=\"en\">Keep this card private. At the polling terminal scan "
    "the QR code or type the code below. A challenge does not use the "
    "card up; once you cast in a vote, the card is spent for that vote.</p>"
    "</div>";

/* The QR code of text as an inline SVG (one path, a quiet zone of 4). */
static int
qr_svg(FILE *f, const char *text)
{
	QRcode *q;
	int x, y, w;

	if ((q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) ==
	    NULL)
		return TALLY_ERR_NOMEM;
	w = q->width;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "
	    "%d %d\" shape-rendering=\"crispEdges\" role=\"img\" "
	    "aria-label=\"QR\"><rect width=\"%d\" height=\"%d\" "
	    "fill=\"#fff\"/><path fill=\"#000\" d=\"", w + 8, w + 8, w + 8,
	    w + 8);
	for (y = 0; y < w; y++)
		for (x = 0; x < w; x++)
			if (q->data[y * w + x] & 1)
				fprintf(f, "M%d %dh1v1h-1z", x + 4, y + 4);
	fputs("\"/></svg>", f);
	QRcode_free(q);
	return 0;
}

static int
write_sheet(struct gen *g)
{
	char code[CRED_CODE_LEN + 1], *buf = NULL;
	size_t len = 0;
	uint32_t i;
	FILE *f;
	int ret = 0;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return keys_fail(TALLY_ERR_NOMEM, "out of memory");
	fputs(html_head, f);
	for (i = 0; i < g->count && ret == 0; i++) {
		if (i % 8 == 0)
			fputs(i == 0 ? "<div class=\"sheet\">\n" :
			    "</div>\n<div class=\"sheet\">\n", f);
		if ((ret = credential_code(code, g->seeds[i])) != 0)
			break;
		fputs("<div class=\"card\"><div class=\"qr\">", f);
		ret = qr_svg(f, code);
		fprintf(f, "</div>%s<p class=\"code\">%s</p></div>\n",
		    card_text, code);
	}
	OPENSSL_cleanse(code, sizeof(code));
	fputs("</div>\n</body></html>\n", f);
	if (fclose(f) != 0 && ret == 0)
		ret = TALLY_ERR_NOMEM;
	if (ret == 0)
		ret = gen_write(g, keys_path(g->out, "cards.html"), buf, len,
		    0600);
	else
		ret = keys_fail(ret, "cannot make the card sheet");
	util_freezero(buf, len);
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
