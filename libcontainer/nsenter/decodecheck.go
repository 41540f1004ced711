package nsenter

/*
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

// Decodes a copy of buf with the executor's decoder and frees it again;
// returns the op count, or -1 with the error text in msg.
static int hull_decode_check(const uint8_t *buf, size_t len, char *msg, size_t msglen)
{
	struct program p = { 0 };
	uint8_t *copy = malloc(len ? len : 1);
	int n;

	if (!copy)
		return -2;
	memcpy(copy, buf, len);
	err_msg[0] = 0;
	n = decode_program(copy, len, &p) < 0 ? -1 : (int)p.nops;
	if (n < 0)
		snprintf(msg, msglen, "%s", err_msg);
	free_program(&p);
	free(copy);
	return n;
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// decodeWithC runs the executor's C decoder (decode.c) on an encoded
// program (without the message header), in this process, and returns the
// number of ops it decoded or its error message. Tests and the fuzz
// target use it: decoding any byte string must fail cleanly, never crash.
func decodeWithC(b []byte) (int, error) {
	msg := make([]byte, 512)
	var p *C.uint8_t
	if len(b) > 0 {
		p = (*C.uint8_t)(unsafe.Pointer(&b[0]))
	}
	n := C.hull_decode_check(p, C.size_t(len(b)), (*C.char)(unsafe.Pointer(&msg[0])), C.size_t(len(msg)))
	switch {
	case n == -2:
		return 0, errors.New("decode program: out of memory")
	case n < 0:
		return 0, errors.New(C.GoString((*C.char)(unsafe.Pointer(&msg[0]))))
	}
	return int(n), nil
}
