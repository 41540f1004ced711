package diff

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"strings"
	"sync"
)

// differencesFile lists the differences from runc that are deliberate or
// pending (owned by an open issue), one per line: CASE SECTION REASON,
// CASE and SECTION being shell patterns.
const differencesFile = "differences.txt"

type listedDifference struct {
	casePattern, sectionPattern, reason string
	line                                int
	used                                bool
}

var (
	listedOnce sync.Once
	listed     []*listedDifference
	listedErr  error
	listedMu   sync.Mutex
)

func loadDifferences() ([]*listedDifference, error) {
	listedOnce.Do(func() {
		f, err := os.Open(differencesFile)
		if err != nil {
			listedErr = err
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			text := strings.TrimSpace(sc.Text())
			if text == "" || strings.HasPrefix(text, "#") {
				continue
			}
			fields := strings.Fields(text)
			if len(fields) < 3 {
				listedErr = fmt.Errorf("%s:%d: want CASE SECTION REASON, got %q", differencesFile, n, text)
				return
			}
			for _, p := range fields[:2] {
				if _, err := path.Match(p, ""); err != nil {
					listedErr = fmt.Errorf("%s:%d: bad pattern %q: %w", differencesFile, n, p, err)
					return
				}
			}
			listed = append(listed, &listedDifference{
				casePattern: fields[0], sectionPattern: fields[1],
				reason: strings.Join(fields[2:], " "), line: n,
			})
		}
		listedErr = sc.Err()
	})
	return listed, listedErr
}

// findListed returns the entry that lists the difference, or nil.
func findListed(caseName, section string) *listedDifference {
	entries, _ := loadDifferences()
	listedMu.Lock()
	defer listedMu.Unlock()
	for _, e := range entries {
		cm, _ := path.Match(e.casePattern, caseName)
		sm, _ := path.Match(e.sectionPattern, section)
		if cm && sm {
			e.used = true
			return e
		}
	}
	return nil
}

// unusedListed returns the entries no difference matched: fixed since,
// to be removed from the file.
func unusedListed() []*listedDifference {
	entries, _ := loadDifferences()
	listedMu.Lock()
	defer listedMu.Unlock()
	var unused []*listedDifference
	for _, e := range entries {
		if !e.used {
			unused = append(unused, e)
		}
	}
	return unused
}
