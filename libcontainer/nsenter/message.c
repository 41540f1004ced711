/* Messages on the parent<->executor socket (docs/PROGRAM.md) and the error
 * record every op fills in when it fails. */
#include "util.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

char err_msg[512];
int err_no;

static int vfail(int err, const char *fmt, va_list ap)
{
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	err_no = err;
	errno = err;
	return -1;
}

int fail(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vfail(err, fmt, ap);
	va_end(ap);
	return -1;
}

int fail_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(err, fmt, ap);
	va_end(ap);
	return -1;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

/* Stage 2 shares the socket with stage 1: before its first message (or
 * execve) it waits until stage 1 has sent MSG_PID, so the parent always
 * reads MSG_PID first. Stage 1 failing to send it ends stage 2 too. */
void await_pid_sent(void)
{
	char c;
	ssize_t n;

	if (st.pid_sent < 0)
		return;
	do
		n = read(st.pid_sent, &c, 1);
	while (n < 0 && errno == EINTR);
	close(st.pid_sent);
	st.pid_sent = -1;
	if (n != 1)
		_exit(1);
}

/* One packet: header, payload, and optionally one fd by SCM_RIGHTS.
 * MSG_NOSIGNAL because a parent that went away must not kill us. */
int send_msg(uint32_t type, uint32_t op_index, int32_t err, const void *payload, size_t len, int fd)
{
	uint8_t hdr[HULL_MSG_HEADER_SIZE];
	struct iovec iov[2];
	struct msghdr msg = { 0 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	ssize_t n;

	await_pid_sent();
	put_u32(hdr, type);
	put_u32(hdr + 4, op_index);
	put_u32(hdr + 8, (uint32_t)err);
	put_u32(hdr + 12, 0);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)payload;
	iov[1].iov_len = len;
	msg.msg_iov = iov;
	msg.msg_iovlen = len ? 2 : 1;
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(st.sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

/* Reads parent messages until one of type want, into buf (at least a
 * header's size), with up to maxfds fds it carries into fds (*nfds set;
 * fds beyond maxfds, or any when fds is NULL, are closed). MSG_ABORT
 * and EOF end the executor. MSG_CGROUP_READY may come before the answer
 * to a request made before the cgroup was joined (the parent sends it
 * as soon as the cgroup is joined, without waiting): it is remembered.
 * Returns the length of the message or -1. */
ssize_t recv_parent(uint32_t want, uint32_t op_index, uint8_t *buf, size_t size, int *fds, int maxfds, int *nfds)
{
	static union {
		char buf[CMSG_SPACE(MAX_PARENT_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *c;
	ssize_t n;
	uint32_t type;
	int i, k;

	for (;;) {
		if (nfds)
			*nfds = 0;
		iov.iov_base = buf;
		iov.iov_len = size;
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		do
			n = recvmsg(st.sock, &msg, MSG_CMSG_CLOEXEC);
		while (n < 0 && errno == EINTR);
		if (n == 0)
			_exit(1); /* the parent is gone: nobody to report to */
		if (n < 0)
			return fail("wait for the parent's answer");
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			int *got = (int *)CMSG_DATA(c);
			int cnt;

			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			cnt = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (i = 0; i < cnt; i++) {
				memcpy(&k, got + i, sizeof(k));
				if (fds && nfds && *nfds < maxfds)
					fds[(*nfds)++] = k;
				else
					close(k);
			}
		}
		if (n < HULL_MSG_HEADER_SIZE)
			return fail_errno(EPROTO, "short message from the parent");
		type = buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24;
		if (type == MSG_ABORT)
			_exit(1);
		if (type == want)
			break;
		if (nfds)
			for (i = 0; i < *nfds; i++)
				close(fds[i]);
		if (type == MSG_CGROUP_READY && !st.cgroup_ready) {
			st.cgroup_ready = true;
			continue;
		}
		return fail_errno(EPROTO, "unexpected message %u from the parent (op %u)", type, op_index);
	}
	if (type == MSG_CGROUP_READY)
		st.cgroup_ready = true;
	return n;
}

static int wait_parent(uint32_t want, uint32_t op_index)
{
	uint8_t buf[64];

	return recv_parent(want, op_index, buf, sizeof(buf), NULL, 0, NULL) < 0 ? -1 : 0;
}

int wait_ack(uint32_t op_index)
{
	return wait_parent(MSG_ACK, op_index);
}

int wait_cgroup_ready(uint32_t op_index)
{
	if (st.cgroup_ready)
		return 0;
	return wait_parent(MSG_CGROUP_READY, op_index);
}

/* Waits until fd is readable. Until the parent says the create is done
 * (MSG_CREATED), the socket is watched too: its EOF (the parent was
 * killed) or MSG_ABORT ends the executor, so that an init never outlives
 * a create that died halfway, reparented and blocked on its exec fifo
 * with nobody knowing its pid. */
int wait_readable_while_creating(int fd, uint32_t op_index)
{
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = st.sock, .events = POLLIN } };
	uint8_t buf[64];
	uint32_t type;
	ssize_t n;

	for (;;) {
		if (poll(p, st.created ? 1 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return fail("wait for start");
		}
		if (p[0].revents)
			return 0;
		if (st.created || !p[1].revents)
			continue;
		do
			n = recv(st.sock, buf, sizeof(buf), MSG_CMSG_CLOEXEC);
		while (n < 0 && errno == EINTR);
		if (n == 0)
			_exit(1); /* the create died before it finished */
		if (n < 0)
			return fail("wait for the parent's message");
		if (n < HULL_MSG_HEADER_SIZE)
			return fail_errno(EPROTO, "short message from the parent");
		type = buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24;
		if (type == MSG_ABORT)
			_exit(1);
		if (type != MSG_CREATED)
			return fail_errno(EPROTO, "unexpected message %u from the parent (op %u)", type, op_index);
		st.created = true;
	}
}

/* To the parent; when it no longer listens (an op after the wait for
 * start, once create has returned), on stderr, the container's own, so
 * that the failure is not silent. */
void report_error(uint32_t op_index)
{
	char line[sizeof(err_msg) + 128];
	int len;

	if (send_msg(MSG_ERROR, op_index, err_no, err_msg, strlen(err_msg), -1) == 0)
		return;
	len = err_no ? snprintf(line, sizeof(line), "%s: %s\n", err_msg, strerror(err_no))
		     : snprintf(line, sizeof(line), "%s\n", err_msg);
	if (len > 0)
		write_all_fd(2, line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1);
}
