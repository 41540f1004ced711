package main

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestParseUser(t *testing.T) {
	for in, want := range map[string]specs.User{
		"0": {}, "1000": {UID: 1000}, "1000:100": {UID: 1000, GID: 100}, "65534:65534": {UID: 65534, GID: 65534},
	} {
		got, err := parseUser(in)
		if err != nil || got.UID != want.UID || got.GID != want.GID {
			t.Errorf("parseUser(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "root", "1000:", ":100", "-1", "1:2:3", "4294967296"} {
		if _, err := parseUser(in); err == nil {
			t.Errorf("parseUser(%q) accepted", in)
		}
	}
}
