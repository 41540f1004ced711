package integration

import (
	"strconv"
	"testing"
)

func TestRunReturnsTheContainersExitStatus(t *testing.T) {
	for _, status := range []int{0, 3, 126} {
		res := runInContainer(t, "exit "+strconv.Itoa(status), nil)
		if res.code != status {
			t.Errorf("want exit status %d: %v", status, res)
		}
	}
}
