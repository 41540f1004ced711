/* OP_MOUNT_SOURCES: the rootfs and bind sources, opened for us by the
 * parent in our mount namespace (a user namespace's root may not reach
 * them); the mount ops use those fds by slot. They lead outside the
 * root, so they are closed as soon as the root has moved. */
#include "util.h"

#include <stdlib.h>
#include <string.h>

static uint32_t get_u32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

int op_mount_sources(const struct op *op, uint32_t index)
{
	/* Header, first slot, count, and one u32 per slot. */
	static uint8_t buf[HULL_MSG_HEADER_SIZE + 8 + 4 * MAX_PARENT_FDS];
	int fds[MAX_PARENT_FDS];
	uint32_t n = op->nstrs, done = 0, first, count, i, k;
	int nfds;
	ssize_t len;

	close_mount_sources();
	st.srcfds = malloc((n ? n : 1) * sizeof(int));
	if (!st.srcfds)
		return fail("allocate mount source fds");
	for (i = 0; i < n; i++)
		st.srcfds[i] = -1;
	st.nsrcfds = n;
	if (send_msg(MSG_MOUNT_SOURCES, index, 0, NULL, 0, -1) < 0)
		return fail("ask the parent to open mount sources");
	do {
		len = recv_parent(MSG_MOUNT_SOURCE_FDS, index, buf, sizeof(buf), fds, MAX_PARENT_FDS, &nfds);
		if (len < 0)
			return -1;
		if (len < HULL_MSG_HEADER_SIZE + 8)
			goto bad;
		first = get_u32(buf + HULL_MSG_HEADER_SIZE);
		count = get_u32(buf + HULL_MSG_HEADER_SIZE + 4);
		if (first != done || count > n - first || (count == 0 && n > 0) || (size_t)len < HULL_MSG_HEADER_SIZE + 8 + 4 * (size_t)count)
			goto bad;
		for (i = 0; i < count; i++) {
			k = get_u32(buf + HULL_MSG_HEADER_SIZE + 8 + 4 * i);
			if (k == UINT32_MAX)
				continue;
			if (k >= (uint32_t)nfds || fds[k] < 0)
				goto bad;
			st.srcfds[first + i] = fds[k];
			fds[k] = -1;
		}
		for (i = 0; i < (uint32_t)nfds; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		done += count;
	} while (done < n);
	return 0;
bad:
	for (i = 0; i < (uint32_t)nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return fail_errno(EPROTO, "malformed mount sources from the parent");
}

int mount_source_fd(uint64_t slot)
{
	if (slot == 0 || slot > st.nsrcfds)
		return -1;
	return st.srcfds[slot - 1];
}

void close_mount_sources(void)
{
	uint32_t i;

	for (i = 0; i < st.nsrcfds; i++)
		if (st.srcfds[i] >= 0)
			close(st.srcfds[i]);
	free(st.srcfds);
	st.srcfds = NULL;
	st.nsrcfds = 0;
}
