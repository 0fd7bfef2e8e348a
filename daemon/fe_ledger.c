/* fe_ledger.c: requests to the ledger and its answers, on the loop. */
#include "fe_ledger.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "err.h"
#include "frontend.h"
#include "ipc.h"
#include "logmsg.h"

void
fe_ledger_forward(struct frontend *fe, struct pending *p,
    const Tally__Request *req)
{
	Tally__LedgerRequest lr = TALLY__LEDGER_REQUEST__INIT;
	uint8_t *buf;
	size_t len;

	lr.seq = p->seq = ++fe->next_seq;
	lr.request = (Tally__Request *)req;
	if (ipc_frame_encode(IPC_LEDGER_REQUEST, &lr.base, &buf, &len) != 0) {
		pending_fail(p, TALLY_ERR_NOMEM, NULL);
		return;
	}
	bufferevent_write(fe->ipc, buf, len);
	free(buf);
	if (p->req != NULL) {
		tally__request__free_unpacked(p->req, NULL);
		p->req = NULL;
	}
	p->owner = PENDING_LEDGER;
	TAILQ_INSERT_TAIL(&fe->ledgerq, p, l_entry);
}

void
fe_ledger_download(struct frontend *fe, struct pending *p)
{
	p->download = 1;
	if (fe->ndownloads < fe->cfg->max_downloads &&
	    TAILQ_EMPTY(&fe->downloadq) && !frontend_over_budget(fe)) {
		fe->ndownloads++;
		fe_ledger_forward(fe, p, p->req);
		return;
	}
	p->owner = PENDING_LEDGER;	/* held here until its turn */
	TAILQ_INSERT_TAIL(&fe->downloadq, p, l_entry);
}

void
fe_ledger_pump(struct frontend *fe)
{
	struct pending *p;

	while (fe->ndownloads < fe->cfg->max_downloads &&
	    !frontend_over_budget(fe) &&
	    (p = TAILQ_FIRST(&fe->downloadq)) != NULL) {
		TAILQ_REMOVE(&fe->downloadq, p, l_entry);
		if (!pending_back(p))
			continue;
		fe->ndownloads++;
		fe_ledger_forward(fe, p, p->req);
	}
}

static void
fe_ledger_answer(struct frontend *fe, Tally__LedgerResponse *lr)
{
	struct pending *p;
	int download;

	TAILQ_FOREACH(p, &fe->ledgerq, l_entry)
		if (p->seq == lr->seq)
			break;
	if (p == NULL)
		fatalx("ledger answered unknown request %llu",
		    (unsigned long long)lr->seq);
	TAILQ_REMOVE(&fe->ledgerq, p, l_entry);
	download = p->download;
	pending_answer(p, lr->response);
	if (download) {
		fe->ndownloads--;
		fe->trim = 1;
		fe_ledger_pump(fe);
	}
}

static void
fe_ledger_read(struct bufferevent *bev, void *arg)
{
	struct frontend *fe = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	Tally__LedgerResponse *lr;
	const uint8_t *payload;
	uint8_t hdr[IPC_HEADER];
	uint32_t type, plen, l;
	size_t total;
	int ret;

	while (evbuffer_copyout(in, hdr, IPC_HEADER) == IPC_HEADER) {
		memcpy(&l, hdr + 4, 4);
		if (l <= IPC_MAX_PAYLOAD &&
		    evbuffer_get_length(in) < IPC_HEADER + (size_t)l)
			return;
		ret = ipc_frame_peek(evbuffer_pullup(in, IPC_HEADER +
		    (ssize_t)(l <= IPC_MAX_PAYLOAD ? l : 0)),
		    evbuffer_get_length(in), &type, &payload, &plen, &total);
		if (ret != 0 || type != IPC_LEDGER_RESPONSE)
			fatalx("ledger sent a bad frame");
		if (ipc_decode_response(payload, plen, &lr) != 0)
			fatalx("ledger sent an undecodable frame");
		evbuffer_drain(in, total);
		fe_ledger_answer(fe, lr);
		tally__ledger_response__free_unpacked(lr, NULL);
	}
}

static void
fe_ledger_event(struct bufferevent *bev, short what, void *arg)
{
	fatalx("lost the ledger");
}

int
fe_ledger_open(struct frontend *fe, int ipc_fd)
{
	evutil_make_socket_nonblocking(ipc_fd);
	if ((fe->ipc = bufferevent_socket_new(fe->base, ipc_fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		return -1;
	bufferevent_setcb(fe->ipc, fe_ledger_read, NULL, fe_ledger_event, fe);
	bufferevent_enable(fe->ipc, EV_READ | EV_WRITE);
	return 0;
}
