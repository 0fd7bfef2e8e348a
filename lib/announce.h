/*
 * announce.h: the publication's human forms of a vote's outcome, rendered
 * from the manifest and the results.json bytes of rules_outcome_to_json:
 * announcement.txt, a 大会公告 in Chinese (default) or English, and
 * results.html, one self-contained page for the hall projector and the web
 * (inline CSS, no scripts, no external resources).
 *
 * Promises: the results JSON is checked against the manifest before anything
 * is written (same vote, every contest in manifest order with its kind and
 * shape, exactly the option ids of each contest, every winner or tied entry a
 * known option or write-in, no unknown keys, non-negative integers, nothing
 * after the object); a mismatch is TALLY_ERR_DECODE and no output. Every
 * string taken from the manifest or the results is untrusted: control and
 * bidirectional-override characters become U+FFFD in both forms, and the
 * HTML escapes & < > " '. The same inputs always give the same bytes.
 */
#ifndef TALLY_ANNOUNCE_H
#define TALLY_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

#define ANNOUNCE_JSON_MAX	(16 * 1024 * 1024)	/* bytes of results */

/*
 * announcement.txt: UTF-8, lines ending in "\n". lang is "zh" (also NULL,
 * "" or "zh-CN") or "en". *out is NUL-terminated and owned by the caller
 * (free); *len excludes the NUL. Returns 0, TALLY_ERR_INVALID_ARG (unknown
 * lang, NULL manifest or json), TALLY_ERR_TOO_LARGE (jlen >
 * ANNOUNCE_JSON_MAX), TALLY_ERR_DECODE (JSON malformed or not matching the
 * manifest) or TALLY_ERR_NOMEM; on error *out is NULL and *len 0.
 */
int announce_text(char **out, size_t *len, const struct manifest *m,
    const uint8_t *results_json, size_t jlen, const char *lang);

/* results.html: as announce_text, a complete HTML5 document. */
int announce_html(char **out, size_t *len, const struct manifest *m,
    const uint8_t *results_json, size_t jlen, const char *lang);

#endif
