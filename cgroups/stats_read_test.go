package cgroups

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParseCPUList(t *testing.T) {
	got, err := parseCPUList("0-2,5,7-8\n")
	if err != nil || !reflect.DeepEqual(got, []uint16{0, 1, 2, 5, 7, 8}) {
		t.Errorf("parseCPUList = %v, %v", got, err)
	}
	if _, err := parseCPUList("3-1"); err == nil {
		t.Errorf("a reversed range parsed")
	}
}

func TestParseBlkioSkipsTotals(t *testing.T) {
	got := parseBlkio("8:0 Read 4096\n8:0 Write 512\n8:0 Total 4608\nTotal 4608\n")
	want := []BlkioEntry{{8, 0, "Read", 4096}, {8, 0, "Write", 512}, {8, 0, "Total", 4608}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseBlkio = %v, want %v", got, want)
	}
}

func TestParseIOStatMapsToV1Tables(t *testing.T) {
	bytes, ios := parseIOStat("253:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n")
	if !reflect.DeepEqual(bytes, []BlkioEntry{{253, 0, "Read", 10}, {253, 0, "Write", 20}}) ||
		!reflect.DeepEqual(ios, []BlkioEntry{{253, 0, "Read", 1}, {253, 0, "Write", 2}}) {
		t.Errorf("parseIOStat = %v %v", bytes, ios)
	}
}

func TestParsePSI(t *testing.T) {
	ps, err := parsePSI("some avg10=1.50 avg60=0.00 avg300=0.00 total=123\nfull avg10=0.00 avg60=0.25 avg300=0.00 total=7\n")
	if err != nil || ps.Some.Avg10 != 1.5 || ps.Some.Total != 123 || ps.Full.Avg60 != 0.25 || ps.Full.Total != 7 {
		t.Errorf("parsePSI = %+v, %v", ps, err)
	}
}

func TestParseRdma(t *testing.T) {
	got := parseRdma("mlx4_0 hca_handle=2 hca_object=max\n")
	if got["mlx4_0"] != [2]uint32{2, 1<<32 - 1} {
		t.Errorf("parseRdma = %v", got)
	}
}

// The JSON keys are runc's types.Stats: readers of runc's events read ours.
func TestStatsJSONHasRuncsKeys(t *testing.T) {
	s := Stats{Hugetlb: map[string]Hugetlb{"2MB": {Usage: 1}}, NetworkInterfaces: []*NetworkInterface{{Name: "lo", RxBytes: 1}}}
	s.Memory.Usage = MemoryEntry{Usage: 5, Limit: 9}
	s.CPU.Throttling.Periods = 3
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"cpu":{"throttling":{"periods":3}}`, `"memory":{"usage":{"limit":9,"usage":5,"failcnt":0}}`,
		`"pids":{}`, `"hugetlb":{"2MB":{"usage":1,"failcnt":0}}`, `"intel_rdt":{}`, `"network_interfaces":[{"Name":"lo","RxBytes":1,`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("stats JSON lacks %s:\n%s", key, data)
		}
	}
}
