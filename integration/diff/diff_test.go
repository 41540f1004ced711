package diff

import "testing"

// TestDifferential runs every spec case and every command-line scenario
// with hull and runc and fails on each difference differences.txt does
// not list. Entries that matched nothing are reported at the end: the
// difference is gone and the entry should go too (HULL_DIFF_STRICT=1
// makes that a failure).
func TestDifferential(t *testing.T) {
	if _, err := loadDifferences(); err != nil {
		t.Fatal(err)
	}
	t.Run("spec", func(t *testing.T) { runSpecCases(t, specCases()) })
	t.Run("cli", func(t *testing.T) { runScenarios(t, cliScenarios()) })
	reportUnused(t)
}
