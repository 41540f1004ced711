// Package diff is hull's differential suite against runc (`make test-diff`):
// the same bundles and command lines run by both runtimes, with a probe
// inside each container printing what a process can observe, the output
// normalised where the runtimes differ by nature (pids, ids, times, temp
// paths) and compared section by section. Every difference must be fixed
// or listed, with its reason, in differences.txt; the suite fails on any
// other. It runs only when HULL_BINARY and HULL_DIFF_RUNC name the two
// binaries (the make target sets both), so `make test` does not need runc.
package diff
