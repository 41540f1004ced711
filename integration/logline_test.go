package integration

import (
	"encoding/json"
	"testing"
)

// decodeLogLine parses one line of a JSON log into its string fields.
func decodeLogLine(t *testing.T, line string) map[string]string {
	t.Helper()
	var fields map[string]any
	if err := json.Unmarshal([]byte(line), &fields); err != nil {
		t.Fatalf("log line %q is not JSON: %v", line, err)
	}
	out := map[string]string{}
	for k, v := range fields {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}
