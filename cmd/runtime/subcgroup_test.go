package main

import (
	"reflect"
	"testing"
)

func TestSubCgroupPaths(t *testing.T) {
	got, err := subCgroupPaths([]string{"cpu,cpuacct:a", "memory:b/c"})
	if err != nil || !reflect.DeepEqual(got, map[string]string{"cpu": "a", "cpuacct": "a", "memory": "b/c"}) {
		t.Errorf("subCgroupPaths = %v, %v", got, err)
	}
	if got, err := subCgroupPaths([]string{"sub"}); err != nil || !reflect.DeepEqual(got, map[string]string{"": "sub"}) {
		t.Errorf("subCgroupPaths(sub) = %v, %v", got, err)
	}
	for _, bad := range [][]string{{"a", "b"}, {":x"}, {"cpu,:x"}, {"cpu:a", "cpu:b"}} {
		if _, err := subCgroupPaths(bad); err == nil {
			t.Errorf("subCgroupPaths(%q) accepted", bad)
		}
	}
}
