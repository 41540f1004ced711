package program

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// cName turns OpMountBind into MOUNT_BIND, the spelling of program.h.
func cName(goName, prefix string) string {
	var sb strings.Builder
	for i, r := range strings.TrimPrefix(goName, prefix) {
		if i > 0 && unicode.IsUpper(r) {
			sb.WriteByte('_')
		}
		sb.WriteRune(unicode.ToUpper(r))
	}
	return sb.String()
}

func TestCodesMatchHeader(t *testing.T) {
	header, err := os.ReadFile("../nsenter/program.h")
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]int{}
	for _, m := range regexp.MustCompile(`\t(OP|MSG)_(\w+) = (\d+),`).FindAllStringSubmatch(string(header), -1) {
		v, _ := strconv.Atoi(m[3])
		defined[m[1]+"_"+m[2]] = v
	}
	goSrc, err := os.ReadFile("codes.go")
	if err != nil {
		t.Fatal(err)
	}
	matches := regexp.MustCompile(`\t((Op|Msg)\w+)\s+(?:Code|MsgType) = (\d+)`).FindAllStringSubmatch(string(goSrc), -1)
	if len(matches) != len(defined) {
		t.Fatalf("codes.go has %d constants, program.h %d", len(matches), len(defined))
	}
	for _, m := range matches {
		prefix := map[string]string{"Op": "OP_", "Msg": "MSG_"}[m[2]]
		name := prefix + cName(m[1], m[2])
		want, _ := strconv.Atoi(m[3])
		if got, ok := defined[name]; !ok || got != want {
			t.Errorf("%s = %d in codes.go, program.h has %d (present %v)", m[1], want, got, ok)
		}
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	p := &Program{}
	p.Add("mounts[0] (/proc)", OpMountFs, []uint64{2, 0}, "proc", "proc", "/proc")
	p.Add("process.args", OpExec, []uint64{1}, "sh", "PATH=/bin")
	got, err := Decode(p.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Ops) != 2 || got.Ops[0].Code != OpMountFs || got.Ops[0].Strs[2] != "/proc" || got.Ops[1].Ints[0] != 1 {
		t.Fatalf("round trip lost data: %+v", got.Ops)
	}
	if _, err := Decode(p.Encode()[:20]); err == nil {
		t.Fatal("truncated program decoded without error")
	}
}
