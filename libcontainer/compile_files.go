package libcontainer

import "os"

// closeNamespaceFiles closes the files Compile opened, leaving the
// caller's own (the exec fifo) alone.
func closeNamespaceFiles(files []*os.File, keep *os.File) {
	for _, f := range files {
		if f != nil && f != keep {
			f.Close()
		}
	}
}
