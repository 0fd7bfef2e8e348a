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

int
ctl_follow_record(struct ctl_conn *c, const char *vote, uint64_t at,
    const struct ctl_follow *f)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__GetRecordRequest gr = TALLY__GET_RECORD_REQUEST__INIT;
	Tally__Response *resp = NULL;
	const Tally__GetRecordResponse *g;
	int ret = 0, done = 0;

	req.body_case = TALLY__REQUEST__BODY_GET_RECORD;
	req.get_record = &gr;
	gr.vote_id = (char *)vote;
	while (!done && ret == 0 && (f->stop == NULL || !*f->stop)) {
		gr.offset = at;
		if ((ret = ctl_call(c, &req, &resp)) != 0) {
			if (ret == TALLY_ERR_INVALID_ARG && at > 0 &&
			    f->shrunk != NULL)
				ret = f->shrunk(f->arg, at, resp != NULL &&
				    resp->message != NULL ? resp->message :
				    "refused");
			else
				ctl_call_error(ret, resp, "get_record");
			break;
		}
		g = resp->get_record;
		if (resp->body_case != TALLY__RESPONSE__BODY_GET_RECORD ||
		    g == NULL || g->next_offset != at + g->chunk.len ||
		    (!g->done && g->chunk.len == 0)) {
			ret = ctl_error(TALLY_ERR_PROTOCOL, "get_record: "
			    "malformed chunk");
			break;
		}
		if ((ret = f->chunk(f->arg, g->chunk.data, g->chunk.len)) !=
		    0)
			break;
		at = g->next_offset;
		done = g->done;
		tally__response__free_unpacked(resp, NULL);
		resp = NULL;
	}
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
	return ret;
}

struct fetch_file {
	int fd;
	const char *path;
};

static int
fetch_write(void *arg, const uint8_t *p, size_t len)
{
	struct fetch_file *ff = arg;
	ssize_t n;

	if (len == 0)
		return 0;
	n = write(ff->fd, p, len);
	if (n < 0 || (size_t)n != len)
		return ctl_error(TALLY_ERR_IO, "%s: %s", ff->path,
		    n < 0 ? strerror(errno) : "short write"), TALLY_ERR_IO;
	return 0;
}

int
ctl_fetch_record(struct ctl_conn *c, const char *vote, const char *path)
{
	struct fetch_file ff = { -1, path };
	struct ctl_follow f = { fetch_write, NULL, &ff, NULL };
	int fd, ret;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1)
		return ctl_error(TALLY_ERR_IO, "%s: %s", path, strerror(errno)),
		       TALLY_ERR_IO;
	ff.fd = fd;
	ret = ctl_follow_record(c, vote, 0, &f);
	if (ret == 0 && fsync(fd) != 0) {
		ret = TALLY_ERR_IO;
		ctl_error(ret, "%s: %s", path, strerror(errno));
	}
	close(fd);
	if (ret != 0)
		unlink(path);
	return ret;
}
