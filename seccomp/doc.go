// Package seccomp owns the translation of an OCI seccomp profile into a BPF
// program (through libseccomp), its cache keyed by the profile's hash, and
// the hand-over of the notify fd to a seccomp agent. It never loads a
// filter itself: the executor does, with seccomp(2) and Filter.Flags.
//
// Validate checks a profile without libseccomp, so specconv can reject a
// bad config.json early with errors that name the field. Compile builds
// the BPF like runc: unknown syscall names are skipped, ERRNO and TRACE
// default to EPERM, rules sharing an argument index become separate rules,
// and on deny-by-default profiles a stub in front of the program answers
// syscalls newer than any the profile names with ENOSYS. Building costs
// tens of milliseconds, so the result is stored under CacheDir and reused
// while the profile, the libseccomp version and the architecture match.
//
// Importing the package does no work beyond libseccomp-golang's own init.
package seccomp
