/* Ops that tune how the kernel runs the container's processes: scheduler,
 * I/O priority, CPU affinity, personality and NUMA memory policy; and the
 * host step, where the parent does host-side work while we wait. Every
 * value comes computed from Go; these only make the syscalls. */
#include "util.h"

#include <sys/prctl.h>

#include <sched.h>
#include <stdlib.h>
#include <string.h>

/* struct sched_attr of sched_setattr(2), SCHED_ATTR_SIZE_VER1 (with the
 * utilisation clamps, which the UTIL_CLAMP flags need present). */
struct hull_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
	uint32_t sched_util_min;
	uint32_t sched_util_max;
};

#define IOPRIO_WHO_PROCESS 1

int op_sched_attr(const struct op *op, uint32_t index)
{
	struct hull_sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = (uint32_t)op->ints[0],
		.sched_flags = op->ints[1],
		.sched_nice = (int32_t)(int64_t)op->ints[2],
		.sched_priority = (uint32_t)op->ints[3],
		.sched_runtime = op->ints[4],
		.sched_deadline = op->ints[5],
		.sched_period = op->ints[6],
	};

	(void)index;
	if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
		return fail("sched_setattr (policy %u, flags %#llx)", attr.sched_policy,
			    (unsigned long long)attr.sched_flags);
	return 0;
}

int op_ioprio(const struct op *op, uint32_t index)
{
	(void)index;
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, (int)op->ints[0]) < 0)
		return fail("ioprio_set %#llx", (unsigned long long)op->ints[0]);
	return 0;
}

/* The mask arrives as bytes; the kernel wants whole unsigned longs, so it
 * is copied into an aligned buffer of that size. */
static unsigned long *copy_mask(const struct op *op, size_t *bytes)
{
	size_t words = (op->lens[0] + sizeof(unsigned long) - 1) / sizeof(unsigned long);
	unsigned long *mask;

	*bytes = words * sizeof(unsigned long);
	mask = calloc(words ? words : 1, sizeof(unsigned long));
	if (mask)
		memcpy(mask, op->strs[0], op->lens[0]);
	return mask;
}

int op_cpu_affinity(const struct op *op, uint32_t index)
{
	size_t bytes;
	unsigned long *mask = copy_mask(op, &bytes);
	int ret = 0;

	(void)index;
	if (!mask)
		return fail("allocate cpu mask");
	if (syscall(SYS_sched_setaffinity, 0, bytes, mask) < 0)
		ret = fail("sched_setaffinity");
	free(mask);
	return ret;
}

int op_personality(const struct op *op, uint32_t index)
{
	(void)index;
	/* personality(2) returns the previous persona; only -1 is an error. */
	if (syscall(SYS_personality, (unsigned long)op->ints[0]) == -1)
		return fail("personality %#llx", (unsigned long long)op->ints[0]);
	return 0;
}

int op_mempolicy(const struct op *op, uint32_t index)
{
	size_t bytes;
	unsigned long *mask = copy_mask(op, &bytes);
	unsigned long maxnode = (unsigned long)op->ints[1];
	int ret = 0;

	(void)index;
	if (!mask)
		return fail("allocate node mask");
	if (syscall(SYS_set_mempolicy, (int)op->ints[0], maxnode ? mask : NULL, maxnode) < 0)
		ret = fail("set_mempolicy (mode %#llx)", (unsigned long long)op->ints[0]);
	free(mask);
	return ret;
}

int op_host_step(const struct op *op, uint32_t index)
{
	uint32_t step = (uint32_t)op->ints[0];
	/* ints[1] (optional): be dumpable meanwhile, so that a rootless
	 * parent may open our /proc files (as for the uid/gid maps). */
	bool dumpable = op->nints > 1 && op->ints[1];

	if (dumpable && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		return fail("make executor dumpable for host step %u", step);
	if (send_msg(MSG_HOST_STEP, index, 0, &step, sizeof(step), -1) < 0)
		return fail("ask the parent for host step %u", step);
	if (wait_ack(index) < 0)
		return -1;
	if (dumpable && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return fail("make executor non-dumpable");
	return 0;
}
