// Package seccomp owns the translation of an OCI seccomp profile into a BPF
// program (through libseccomp), its cache keyed by the profile's hash, and
// the notify listener. It never loads a filter itself: the executor does.
package seccomp
