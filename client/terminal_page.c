/* terminal_page.c: serve the terminal's page from the embedded assets. */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "terminal.h"
#include "assets.h"

/* Nothing from elsewhere, no framing, no inline script or style. */
#define TERM_CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; connect-src 'self'; form-action 'none'; " \
	"base-uri 'none'; frame-ancestors 'none'"

static void
page_headers(struct evhttp_request *req, const char *type)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Content-Security-Policy", TERM_CSP);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "Cache-Control", "no-store");
}

/* The page with {{TOKEN}} and {{IDLE}} filled in. */
static void
page_index(struct evbuffer *b, const char *token, int idle_secs)
{
	const char *p = (const char *)terminal_index_html, *q;
	const char *end = p + terminal_index_html_len;
	char idle[16];

	snprintf(idle, sizeof(idle), "%d", idle_secs);
	while (p < end) {
		q = memmem(p, (size_t)(end - p), "{{", 2);
		if (q == NULL) {
			evbuffer_add(b, p, (size_t)(end - p));
			break;
		}
		evbuffer_add(b, p, (size_t)(q - p));
		if ((size_t)(end - q) >= 9 && memcmp(q, "{{TOKEN}}", 9) == 0) {
			evbuffer_add(b, token, strlen(token));
			p = q + 9;
		} else if ((size_t)(end - q) >= 8 &&
		    memcmp(q, "{{IDLE}}", 8) == 0) {
			evbuffer_add(b, idle, strlen(idle));
			p = q + 8;
		} else {
			evbuffer_add(b, q, 2);
			p = q + 2;
		}
	}
}

void
terminal_page_send(struct evhttp_request *req, const char *path,
    const char *token, int idle_secs)
{
	struct evbuffer *b;

	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, 500, "Internal Error");
		return;
	}
	if (strcmp(path, "/") == 0) {
		page_headers(req, "text/html; charset=utf-8");
		page_index(b, token, idle_secs);
	} else if (strcmp(path, "/app.css") == 0) {
		page_headers(req, "text/css; charset=utf-8");
		evbuffer_add(b, terminal_app_css, terminal_app_css_len);
	} else if (strcmp(path, "/app.js") == 0) {
		page_headers(req, "text/javascript; charset=utf-8");
		evbuffer_add(b, terminal_app_js, terminal_app_js_len);
	} else {
		evbuffer_free(b);
		evhttp_send_error(req, 404, "Not Found");
		return;
	}
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}
