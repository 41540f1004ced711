package main

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/hullrt/hull/libcontainer"
)

var listStates = []libcontainer.State{
	{ID: "c1", Pid: 5262, Status: libcontainer.Created, Bundle: "/tmp/rc",
		Created: time.Date(2026, 11, 23, 13, 16, 48, 829661705, time.UTC), Owner: "root"},
	{ID: "a-much-longer-id", Status: libcontainer.Stopped, Bundle: "/b",
		Created: time.Date(2026, 11, 23, 13, 16, 49, 0, time.UTC), Owner: "root"},
}

func TestWriteListTableMatchesRunc(t *testing.T) {
	var buf bytes.Buffer
	if err := writeList(&buf, listStates[:1], "table", false); err != nil {
		t.Fatal(err)
	}
	// Captured from `runc list`.
	want := "ID          PID         STATUS      BUNDLE      CREATED                          OWNER\n" +
		"c1          5262        created     /tmp/rc     2026-11-23T13:16:48.829661705Z   root\n"
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestWriteListQuietAndJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := writeList(&buf, listStates, "table", true); err != nil {
		t.Fatal(err)
	}
	if want := "c1\na-much-longer-id\n"; buf.String() != want {
		t.Fatalf("-q: got %q, want %q", buf.String(), want)
	}
	buf.Reset()
	if err := writeList(&buf, listStates, "json", false); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0]["id"] != "c1" || got[0]["status"] != "created" || got[0]["created"] != "2026-11-23T13:16:48.829661705Z" {
		t.Fatalf("json: %s", buf.String())
	}
	buf.Reset()
	if err := writeList(&buf, nil, "json", false); err != nil || buf.String() != "[]\n" {
		t.Fatalf("empty json list: %q, %v", buf.String(), err)
	}
	if err := writeList(&buf, nil, "yaml", false); err == nil {
		t.Fatal("unknown format accepted")
	}
}
