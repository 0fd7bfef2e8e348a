/*
 * publication.c: render the files of a publication folder from a verified
 * record (publication.h). Shared by publish, which writes them, and verify,
 * which compares them.
 */
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include <jansson.h>

#include "announce.h"
#include "challenge.h"
#include "err.h"
#include "log.h"
#include "manifest.h"
#include "publication.h"
#include "tallyctl.h"
#include "util.h"

static const char *const pub_names[PUB_NRENDERED] = {
	"results.json", "announcement.txt", "results.html", "challenged.json"
};

int
pub_record_manifest(const char *path, struct manifest **m)
{
	struct log_reader *r = NULL;
	struct log_entry e;
	char err[256];
	int ret;

	*m = NULL;
	if ((ret = log_reader_open(path, &r, err, sizeof(err))) != 0)
		return ret;
	ret = log_reader_next(r, &e);
	if (ret == 1 && e.rec != NULL &&
	    e.rec->body_case == TALLY__LOG_RECORD__BODY_VOTE_CREATED)
		ret = manifest_parse(m, e.rec->vote_created->manifest.data,
		    e.rec->vote_created->manifest.len, err, sizeof(err));
	else if (ret >= 0)
		ret = TALLY_ERR_VERIFY;
	log_reader_free(r);
	return ret;
}

int
pub_ballots_init(struct pub_ballots *b)
{
	memset(b, 0, sizeof(*b));
	if ((b->rows = json_array()) == NULL ||
	    (b->challenged = json_array()) == NULL) {
		pub_ballots_clear(b);
		return TALLY_ERR_NOMEM;
	}
	return 0;
}

void
pub_ballots_clear(struct pub_ballots *b)
{
	json_decref(b->rows);
	json_decref(b->challenged);
	memset(b, 0, sizeof(*b));
}

void
pub_ballots_collect(void *arg, uint64_t index, const uint8_t tracking[32],
    const struct manifest *m, const struct challenge_open *open)
{
	struct pub_ballots *b = arg;
	char code[64], *text = NULL;
	size_t len;

	util_base32(code, tracking, 32);
	if (open != NULL && challenge_describe(&text, &len, m, open) != 0) {
		b->err = TALLY_ERR_NOMEM;
		return;
	}
	if (json_array_append_new(b->rows, json_pack("[s,I,b,s]", code,
	    (json_int_t)index, open != NULL, text != NULL ? text : "")) != 0)
		b->err = TALLY_ERR_NOMEM;
	if (open != NULL && json_array_append_new(b->challenged,
	    json_pack("{s:I,s:s,s:s}", "index", (json_int_t)index,
	    "tracking_code", code, "contents", text)) != 0)
		b->err = TALLY_ERR_NOMEM;
	free(text);
}

/* The 查验我的选票 box: the tracking codes of every ballot travel inside
 * the page (a file:// page may not read its neighbours), as JSON whose
 * '/' are escaped so that no "</script>" can close the element. */
static const char *const pub_search_zh[] = {
	"查验我的选票",
	"输入或扫描选票上显示的追踪码（至少前 16 个字符，不区分大小写，可省略连字符）。",
	"追踪码", "查验",
	"追踪码太短：至少输入前 16 个字符。", "记录中没有这个追踪码的选票。",
	"有多张选票以此开头，请多输入几个字符。",
	"已投出并记入记录：第 %d 条记录。选票内容保密。",
	"这张选票被核验（未投出，不计票）：第 %d 条记录。它的内容是：",
};
static const char *const pub_search_en[] = {
	"Check my ballot",
	"Type or scan the tracking code the terminal showed (at least its first 16 characters; case and dashes do not matter).",
	"Tracking code",
	"Check",
	"Too short: type at least the first 16 characters.",
	"No ballot in the record has this tracking code.",
	"Several ballots begin with this: type more of the code.",
	"Cast and recorded: record %d. Its choices stay secret.",
	"This ballot was challenged (never cast, never counted): record %d. It contained:",
};

static int
pub_search_html(const struct pub_ballots *b, const char *lang,
    char **html, size_t *hlen)
{
	const char *const *t = strcmp(lang, "en") == 0 ? pub_search_en :
	    pub_search_zh;
	json_t *msg = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "short", t[4],
	    "none", t[5], "many", t[6], "cast", t[7], "spoiled", t[8], "x", "");
	char *data = NULL, *msgs = NULL, *out = NULL, *end;
	size_t olen = 0;
	FILE *f;
	int ret = TALLY_ERR_NOMEM;

	if (msg == NULL || (data = json_dumps(b->rows, JSON_COMPACT |
	    JSON_ESCAPE_SLASH)) == NULL || (msgs = json_dumps(msg,
	    JSON_COMPACT | JSON_ESCAPE_SLASH)) == NULL ||
	    (end = strstr(*html, "</body>")) == NULL ||
	    (f = open_memstream(&out, &olen)) == NULL)
		goto out;
	fwrite(*html, 1, (size_t)(end - *html), f);
	fprintf(f, "<section id=\"check\" aria-labelledby=\"check-h\">\n"
	    "<h2 id=\"check-h\">%s</h2>\n<p>%s</p>\n<form id=\"check-f\">"
	    "<label for=\"check-code\">%s</label> <input id=\"check-code\" "
	    "autocomplete=\"off\" spellcheck=\"false\" autocapitalize="
	    "\"characters\" style=\"font-size:1em;width:22em\"> "
	    "<button type=\"submit\" style=\"font-size:1em\">%s</button>"
	    "</form>\n<div id=\"check-out\" role=\"status\" aria-live="
	    "\"polite\"></div>\n</section>\n<script type=\"application/json\""
	    " id=\"ballots\">%s</script>\n<script type=\"application/json\" "
	    "id=\"check-msg\">%s</script>\n<script>\n%s</script>\n", t[0],
	    t[1], t[2], t[3], data, msgs,
	    "(function(){\n"
	    "var B=JSON.parse(document.getElementById('ballots').textContent);\n"
	    "var M=JSON.parse(document.getElementById('check-msg').textContent);\n"
	    "var i=document.getElementById('check-code'),"
	    "o=document.getElementById('check-out');\n"
	    "function say(s){var e=document.createElement('p');e.textContent=s;"
	    "o.appendChild(e);return e;}\n"
	    "document.getElementById('check-f').addEventListener('submit',"
	    "function(ev){ev.preventDefault();o.textContent='';\n"
	    "var c=i.value.toUpperCase().replace(/[^A-Z2-7]/g,'');\n"
	    "if(c.length<16){say(M.short);return;}\n"
	    "var h=B.filter(function(b){return b[0].indexOf(c)===0;});\n"
	    "if(h.length===0){say(M.none);return;}\n"
	    "if(h.length>1){say(M.many);return;}\n"
	    "var b=h[0];say((b[2]?M.spoiled:M.cast).replace('%d',b[1]))"
	    ".className=b[2]?'spoiled':'cast';\n"
	    "if(b[2]){var pre=document.createElement('pre');"
	    "pre.textContent=b[3];o.appendChild(pre);}});})();\n");
	fputs(end, f);
	if (fclose(f) != 0)
		goto out;
	free(*html);
	*html = out;
	*hlen = olen;
	out = NULL;
	ret = 0;
out:
	free(out);
	free(data);
	free(msgs);
	json_decref(msg);
	return ret;
}

static int
pub_challenged(struct pub_file *f, const struct record_report *rep,
    const struct pub_ballots *b)
{
	json_t *doc = json_pack("{s:s,s:O}", "vote_id", rep->vote_id,
	    "challenged", b->challenged);

	if (doc == NULL)
		return TALLY_ERR_NOMEM;
	f->data = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (f->data == NULL)
		return TALLY_ERR_NOMEM;
	f->len = strlen(f->data);
	return 0;
}

int
publication_render(struct publication *p, const char *path,
    const struct record_report *rep, const struct pub_ballots *b,
    const char *lang)
{
	struct manifest *m = NULL;
	const uint8_t *json = (const uint8_t *)rep->outcome;
	int i, ret;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < PUB_NRENDERED; i++)
		p->files[i].name = pub_names[i];
	p->lang = lang;
	if (rep->outcome == NULL || !rep->complete)
		return TALLY_ERR_VOTE_STATE;
	if ((ret = pub_record_manifest(path, &m)) != 0)
		return ret;
	if ((p->files[0].data = malloc(rep->outcome_len + 1)) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	memcpy(p->files[0].data, rep->outcome, rep->outcome_len);
	p->files[0].data[rep->outcome_len] = '\0';
	p->files[0].len = rep->outcome_len;
	if ((ret = announce_text(&p->files[1].data, &p->files[1].len, m, json,
	    rep->outcome_len, lang)) != 0)
		goto out;
	if (b->err != 0) {
		ret = b->err;
		goto out;
	}
	if ((ret = announce_html(&p->files[2].data, &p->files[2].len, m, json,
	    rep->outcome_len, lang)) != 0 ||
	    (ret = pub_search_html(b, lang, &p->files[2].data,
	    &p->files[2].len)) != 0)
		goto out;
	ret = pub_challenged(&p->files[3], rep, b);
out:
	manifest_free(m);
	return ret;
}

void
publication_clear(struct publication *p)
{
	int i;

	for (i = 0; i < PUB_NRENDERED; i++) {
		free(p->files[i].data);
		p->files[i].data = NULL;
		p->files[i].len = 0;
	}
}

int
publication_is_file(const char *name)
{
	int i;

	if (strcmp(name, PUB_RECORD) == 0)
		return 1;
	for (i = 0; i < PUB_NRENDERED; i++)
		if (strcmp(name, pub_names[i]) == 0)
			return 1;
	return 0;
}
