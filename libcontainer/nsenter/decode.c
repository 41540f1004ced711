/* Decoder of the program wire format (docs/PROGRAM.md). The packet comes
 * from our own parent, but a bug there must end in an error message, never
 * in a crash, so every length is checked against what is left. */
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct cursor {
	const uint8_t *p;
	size_t left;
};

static bool take(struct cursor *c, size_t n, const uint8_t **out)
{
	if (n > c->left)
		return false;
	*out = c->p;
	c->p += n;
	c->left -= n;
	return true;
}

static bool u16(struct cursor *c, uint16_t *v)
{
	const uint8_t *b;

	if (!take(c, 2, &b))
		return false;
	*v = (uint16_t)(b[0] | b[1] << 8);
	return true;
}

static bool u32(struct cursor *c, uint32_t *v)
{
	const uint8_t *b;

	if (!take(c, 4, &b))
		return false;
	*v = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	return true;
}

static bool u64(struct cursor *c, uint64_t *v)
{
	uint32_t lo, hi;

	if (!u32(c, &lo) || !u32(c, &hi))
		return false;
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

static int decode_op(struct cursor *c, struct op *op, uint32_t index)
{
	uint16_t pad;
	uint32_t i;

	if (!u16(c, &op->code) || !u16(c, &pad) || !u32(c, &op->nints) || !u32(c, &op->nstrs))
		return fail_errno(EBADMSG, "decode program: op %u header truncated", index);
	/* Bound the counts by the bytes left before allocating anything. */
	if (op->nints > c->left / 8 || op->nstrs > c->left / 5)
		return fail_errno(EBADMSG, "decode program: op %u counts exceed the packet", index);
	op->ints = calloc(op->nints + 1, sizeof(*op->ints));
	op->strs = calloc(op->nstrs + 1, sizeof(*op->strs));
	op->lens = calloc(op->nstrs + 1, sizeof(*op->lens));
	if (!op->ints || !op->strs || !op->lens)
		return fail("decode program: allocate op %u", index);
	for (i = 0; i < op->nints; i++)
		if (!u64(c, &op->ints[i]))
			return fail_errno(EBADMSG, "decode program: op %u ints truncated", index);
	for (i = 0; i < op->nstrs; i++) {
		const uint8_t *s;
		uint32_t len;

		if (!u32(c, &len) || len == UINT32_MAX || !take(c, (size_t)len + 1, &s))
			return fail_errno(EBADMSG, "decode program: op %u string %u truncated", index, i);
		if (s[len] != 0)
			return fail_errno(EBADMSG, "decode program: op %u string %u not terminated", index, i);
		op->strs[i] = (const char *)s;
		op->lens[i] = len;
	}
	return 0;
}

int decode_program(const uint8_t *buf, size_t len, struct program *p)
{
	struct cursor c = { buf, len };
	const uint8_t *magic;
	uint32_t version, i;

	if (!take(&c, 8, &magic) || memcmp(magic, HULL_PROGRAM_MAGIC, 8) != 0)
		return fail_errno(EBADMSG, "decode program: bad magic");
	if (!u32(&c, &version) || version != HULL_PROGRAM_VERSION)
		return fail_errno(EBADMSG, "decode program: unsupported version");
	if (!u32(&c, &p->nops) || p->nops > c.left / 12)
		return fail_errno(EBADMSG, "decode program: op count exceeds the packet");
	p->ops = calloc(p->nops + 1, sizeof(*p->ops));
	if (!p->ops)
		return fail("decode program: allocate ops");
	for (i = 0; i < p->nops; i++)
		if (decode_op(&c, &p->ops[i], i) < 0)
			return -1;
	if (c.left != 0)
		return fail_errno(EBADMSG, "decode program: %zu trailing bytes", c.left);
	return 0;
}

/* Frees what decode_program allocated, after success or failure (the
 * executor itself never needs to: it execs or exits; the fuzz shim does). */
void free_program(struct program *p)
{
	uint32_t i;

	if (!p->ops)
		return;
	for (i = 0; i < p->nops; i++) {
		free(p->ops[i].ints);
		free((void *)p->ops[i].strs);
		free(p->ops[i].lens);
	}
	free(p->ops);
	p->ops = NULL;
	p->nops = 0;
}
