/* http.c: what the local web servers of tallyctl (the polling terminal and
 * the hall screen) share: binding their listening socket. */
#include <errno.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/http.h>
#include <event2/util.h>

#include "err.h"
#include "tallyctl.h"

int
ctl_http_listen(struct evhttp *http, const char *host, uint32_t port,
    const char *listen, unsigned *bound)
{
	struct evhttp_bound_socket *bs;
	struct sockaddr_storage ss;
	ev_socklen_t sl = sizeof(ss);

	if ((bs = evhttp_bind_socket_with_handle(http, host,
	    (uint16_t)port)) == NULL)
		return ctl_error(TALLY_ERR_IO, "cannot listen on %s", listen);
	if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss,
	    &sl) != 0)
		return ctl_error(TALLY_ERR_IO, "getsockname: %s",
		    strerror(errno));
	*bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}
