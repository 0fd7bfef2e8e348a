/*
 * fetch.c: download a vote's record from tallyd into a file, in chunks of
 * whole frames (get_record), for publish and for the scrutineers.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "tallyctl.h"

static int
fetch_chunk_ok(const Tally__Response *resp, uint64_t offset)
{
	const Tally__GetRecordResponse *g = resp->get_record;

	return resp->body_case == TALLY__RESPONSE__BODY_GET_RECORD &&
	    g != NULL && g->next_offset == offset + g->chunk.len &&
	    (g->done || g->chunk.len > 0);
}

int
ctl_fetch_record(struct ctl_conn *c, const char *vote, const char *path)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__GetRecordRequest gr = TALLY__GET_RECORD_REQUEST__INIT;
	Tally__Response *resp = NULL;
	uint64_t offset = 0;
	ssize_t n;
	int fd, ret = 0, done = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1)
		return ctl_error(TALLY_ERR_IO, "%s: %s", path, strerror(errno)),
		       TALLY_ERR_IO;
	req.body_case = TALLY__REQUEST__BODY_GET_RECORD;
	req.get_record = &gr;
	gr.vote_id = (char *)vote;
	while (!done && ret == 0) {
		gr.offset = offset;
		if ((ret = ctl_call(c, &req, &resp)) != 0) {
			ctl_call_error(ret, resp, "get_record");
			break;
		}
		if (!fetch_chunk_ok(resp, offset)) {
			ret = TALLY_ERR_PROTOCOL;
			ctl_error(ret, "get_record: malformed chunk");
			break;
		}
		n = write(fd, resp->get_record->chunk.data,
		    resp->get_record->chunk.len);
		if (n < 0 || (size_t)n != resp->get_record->chunk.len) {
			ret = TALLY_ERR_IO;
			ctl_error(ret, "%s: %s", path, strerror(errno));
			break;
		}
		offset = resp->get_record->next_offset;
		done = resp->get_record->done;
		tally__response__free_unpacked(resp, NULL);
		resp = NULL;
	}
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
	if (ret == 0 && fsync(fd) != 0) {
		ret = TALLY_ERR_IO;
		ctl_error(ret, "%s: %s", path, strerror(errno));
	}
	close(fd);
	if (ret != 0)
		unlink(path);
	return ret;
}
