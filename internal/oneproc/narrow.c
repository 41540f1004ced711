/* Starts the Go runtime with one CPU in the process's affinity mask, so
 * that it sizes itself to one P from the start (osinit reads the count
 * with sched_getaffinity), and puts the caller's mask back before the
 * runtime starts its first thread. See oneproc.go for why and for the
 * measurement. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The caller's mask and its length in bytes as the kernel returned it;
 * the length is 0 when the mask was left alone or has been put back
 * (oneproc.go reads it). */
unsigned long hull_oneproc_mask[1024 / (8 * sizeof(unsigned long))];
int hull_oneproc_mask_len;
/* Why the wrapper could not put the mask back (errno), for oneproc.go's
 * refusal. */
int hull_oneproc_restore_errno;

static int count_cpus(const unsigned long *mask, int len)
{
	int i, n = 0;

	for (i = 0; i < len / (int)sizeof(unsigned long); i++)
		n += __builtin_popcountl(mask[i]);
	return n;
}

/* Runs after the executor's constructor (which never returns in an
 * executor) and the pre-fork constructor (the pre-forked executor keeps
 * the caller's mask): both have an explicit priority, which runs them
 * before every constructor without one, as this one is. */
__attribute__((constructor)) static void hull_oneproc_narrow(void)
{
	unsigned long one[sizeof(hull_oneproc_mask) / sizeof(unsigned long)];
	const char *v = getenv("GOMAXPROCS");
	long len;
	int cpu;

	/* The caller's GOMAXPROCS wins, as before. */
	if (v && *v)
		return;
	len = syscall(SYS_sched_getaffinity, 0, sizeof(hull_oneproc_mask), hull_oneproc_mask);
	/* More than 1024 CPUs (EINVAL): left alone. */
	if (len <= 0 || len % sizeof(unsigned long) || count_cpus(hull_oneproc_mask, (int)len) < 2)
		return;
	cpu = sched_getcpu();
	if (cpu < 0 || cpu >= (int)len * 8 ||
	    !(hull_oneproc_mask[cpu / (8 * sizeof(unsigned long))] & (1UL << (cpu % (8 * sizeof(unsigned long))))))
		return;
	memset(one, 0, sizeof(one));
	one[cpu / (8 * sizeof(unsigned long))] = 1UL << (cpu % (8 * sizeof(unsigned long)));
	if (syscall(SYS_sched_setaffinity, 0, (size_t)len, one) == 0)
		hull_oneproc_mask_len = (int)len;
}

int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg);

/* Every thread the Go runtime starts goes through pthread_create (cgo's
 * _cgo_thread_start), the first one (sysmon) from the main thread after
 * osinit has counted the CPUs: the caller's mask goes back on the main
 * thread right then, so that no thread, and nothing a thread starts, ever
 * runs narrowed. The link wraps pthread_create (oneproc.go's LDFLAGS).
 * The main thread is the only thread at the first call, and the mask is
 * only cleared there, so the flag needs no lock. */
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
	if (hull_oneproc_mask_len > 0) {
		if (syscall(SYS_sched_setaffinity, 0, (size_t)hull_oneproc_mask_len, hull_oneproc_mask) == 0)
			hull_oneproc_mask_len = 0;
		else
			hull_oneproc_restore_errno = errno;
	}
	return __real_pthread_create(thread, attr, start, arg);
}
