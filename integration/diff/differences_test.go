package diff

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
)

// differencesFile lists the differences from runc that are deliberate or
// pending (owned by an open issue), one per line: CASE | SECTION | REASON,
// where * in CASE and SECTION matches any text.
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
			fields := strings.Split(text, "|")
			for i := range fields {
				fields[i] = strings.TrimSpace(fields[i])
			}
			if len(fields) != 3 || fields[0] == "" || fields[1] == "" || fields[2] == "" {
				listedErr = fmt.Errorf("%s:%d: want CASE | SECTION | REASON, got %q", differencesFile, n, text)
				return
			}
			listed = append(listed, &listedDifference{
				casePattern: fields[0], sectionPattern: fields[1], reason: fields[2], line: n,
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
		if globMatch(e.casePattern, caseName) && globMatch(e.sectionPattern, section) {
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

// globMatch matches s against pattern, where * stands for any text
// (slashes included: cases and sections hold paths).
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(s)
}
