package seccomp

import "fmt"

// Debug receives what this package notices but does not fail on: syscall
// names libseccomp cannot resolve, a cache entry rebuilt or not stored.
// The command sets it to its logger's debug level; nil or the default
// discards the messages.
var Debug = func(msg string) {}

func debugf(format string, args ...any) {
	if Debug != nil {
		Debug(fmt.Sprintf(format, args...))
	}
}
