/*
 * terminal.h: the polling terminal's page (client/terminal/: index.html,
 * app.css, app.js), compiled into tallyctl at build time (embed.cmake, assets.h), so
 * that the program needs no files and the page loads nothing from
 * anywhere else.
 */
#ifndef TALLYCTL_TERMINAL_H
#define TALLYCTL_TERMINAL_H

#include <event2/http.h>

/* Answer a GET of path: "/" (the page, with this start's token and idle
 * time), "/app.css", "/app.js"; 404 otherwise. */
void terminal_page_send(struct evhttp_request *req, const char *path,
    const char *token, int idle_secs);

#endif
