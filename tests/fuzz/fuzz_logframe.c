/* fuzz_logframe.c: log_frame_decode and log_record_decode over a run of
 * frames, chained from record 0 as the scanner does. */
#include <string.h>

#include "fuzz.h"
#include "log.h"

int
fuzz_main(const uint8_t *data, size_t len)
{
	Tally__LogRecord *rec;
	const uint8_t *payload;
	uint8_t head[HASH_LEN];
	size_t plen, flen, off = 0;
	uint64_t index = 0;
	char why[128];

	memset(head, 0, sizeof(head));
	while (off < len) {
		if (log_frame_decode(data + off, len - off, &payload, &plen,
		    &flen) != 0)
			break;
		if (flen > len - off || payload != data + off + LOG_FRAME_HEAD ||
		    plen + LOG_FRAME_HEAD != flen)
			fuzz_die("frame outside its buffer");
		if (log_record_decode(payload, plen, index, head, &rec, why,
		    sizeof(why)) != 0)
			break;
		tally__log_record__free_unpacked(rec, NULL);
		if (log_record_hash(head, payload, plen) != 0)
			break;
		index++;
		off += flen;
	}
	return 0;
}
