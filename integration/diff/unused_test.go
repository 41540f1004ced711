package diff

import (
	"os"
	"testing"
)

// reportUnused names the listed differences that no case showed.
func reportUnused(t *testing.T) {
	if t.Failed() || testing.Short() {
		return // a partial run leaves entries unused for no reason
	}
	for _, e := range unusedListed() {
		msg := "%s:%d: %s %s no longer differs from runc: remove the entry (%s)"
		if os.Getenv("HULL_DIFF_STRICT") == "1" {
			t.Errorf(msg, differencesFile, e.line, e.casePattern, e.sectionPattern, e.reason)
		} else {
			t.Logf(msg, differencesFile, e.line, e.casePattern, e.sectionPattern, e.reason)
		}
	}
}
