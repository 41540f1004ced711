package specjson

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// FuzzSpecJSON is the differential test against encoding/json: on any
// input, Unmarshal, UnmarshalPtr and UnmarshalProcess give what
// json.Unmarshal gives into runtime-spec's types (the same values, partial
// ones after a type error included, and the same error text), and Marshal
// of the decoded config gives json.Marshal's bytes.
func FuzzSpecJSON(f *testing.F) {
	for _, s := range specSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want, have rspec.Spec
		werr := json.Unmarshal(data, &want)
		herr := Unmarshal(data, &have)
		sameResult(t, "Unmarshal", werr, herr, want, have)

		var wantPtr, havePtr *rspec.Spec
		sameResult(t, "UnmarshalPtr", json.Unmarshal(data, &wantPtr), UnmarshalPtr(data, &havePtr), wantPtr, havePtr)

		var wantProc, haveProc rspec.Process
		sameResult(t, "UnmarshalProcess", json.Unmarshal(data, &wantProc), UnmarshalProcess(data, &haveProc), wantProc, haveProc)

		wantSum, werr := referenceSummary(data)
		haveSum, herr := UnmarshalSummary(data)
		sameResult(t, "UnmarshalSummary", werr, herr, wantSum, haveSum)

		for _, spec := range []*rspec.Spec{&want, wantPtr} {
			wb, werr := json.Marshal(spec)
			hb, herr := Marshal(spec)
			if errText(werr) != errText(herr) {
				t.Fatalf("Marshal: error %q, encoding/json's %q", errText(herr), errText(werr))
			}
			if !bytes.Equal(wb, hb) {
				t.Fatalf("Marshal:\n%s\nencoding/json:\n%s", hb, wb)
			}
		}
	})
}

// referenceSummary is UnmarshalSummary on runtime-spec's own types.
func referenceSummary(data []byte) (*rspec.Spec, error) {
	var s *struct {
		Version     string            `json:"ociVersion"`
		Hooks       *rspec.Hooks      `json:"hooks,omitempty"`
		Process     *rspec.Process    `json:"process,omitempty"`
		Annotations map[string]string `json:"annotations,omitempty"`
		Linux       *struct {
			Namespaces []rspec.LinuxNamespace `json:"namespaces,omitempty"`
			IntelRdt   *rspec.LinuxIntelRdt   `json:"intelRdt,omitempty"`
		} `json:"linux,omitempty"`
	}
	if err := json.Unmarshal(data, &s); err != nil || s == nil {
		return nil, err
	}
	spec := &rspec.Spec{Version: s.Version, Hooks: s.Hooks, Process: s.Process, Annotations: s.Annotations}
	if s.Linux != nil {
		spec.Linux = &rspec.Linux{Namespaces: s.Linux.Namespaces, IntelRdt: s.Linux.IntelRdt}
	}
	return spec, nil
}

func sameResult(t *testing.T, what string, werr, herr error, want, have any) {
	t.Helper()
	if errText(werr) != errText(herr) {
		t.Fatalf("%s: error %q, encoding/json's %q", what, errText(herr), errText(werr))
	}
	if !reflect.DeepEqual(want, have) {
		t.Fatalf("%s: decoded %+v, encoding/json %+v", what, have, want)
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// specSeeds: runc's spec template, a config with every field of every
// type set (each mirror's encoder and decoder run), and inputs on the
// edges of encoding/json's rules.
func specSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	var seeds [][]byte
	for _, name := range []string{"runc-spec.json", "runc-spec-rootless.json"} {
		data, err := os.ReadFile("../../specconv/testdata/" + name)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	full := reflect.New(reflect.TypeFor[rspec.Spec]())
	fill(full.Elem(), 0)
	data, err := json.Marshal(full.Interface())
	if err != nil {
		tb.Fatal(err)
	}
	seeds = append(seeds, data)
	for _, s := range []string{
		`null`, `{}`, `[]`, `"x"`, `{"ociVersion":null,"process":null,"root":null}`,
		`{"PROCESS":{"ARGS":["a"],"User":{"UID":1}},"Root":{"PATH":"r"}}`,
		`{"process":{"user":{"uid":1}},"process":{"user":{"gid":2}}}`,
		`{"process":{"user":{"uid":-1}}}`, `{"process":{"user":{"uid":1.5}}}`,
		`{"process":{"user":{"uid":1e3}}}`, `{"process":{"user":{"uid":99999999999999999999}}}`,
		`{"process":{"user":{"uid":"1"}}}`, `{"process":5,"root":{"path":1}}`,
		`{"process":{"args":"a"},"hostname":["x"]}`, `{"linux":{"resources":{"memory":{"limit":"1"}}}}`,
		`{"linux":{"resources":{"blockIO":{"weightDevice":[{"major":8,"minor":0,"weight":10}]}}}}`,
		`{"linux":{"resources":{"blockIO":{"weightDevice":[{"major":"8"}]}}}}`,
		`{"unknown":1,"process":{"unknown":{"a":[1,2]}}}`, `{"process":{"terminal":"true"}}`,
		`{"annotations":{"a":"<&>\u2028","b":null},"hostname":"\ud800"}`,
		`{"windows":{"credentialSpec":{"a":[1,"b",null,true]}}}`,
		`{"process":{"env":["A=1",null]}}`, `{"linux":{"devices":[{"fileMode":420}]}}`,
		`{"process":{"user":{"uid":1}}`, `{"process"}`, `{"process":{"user":{"uid":01}}}`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// fill sets every field below v to a non-zero value: one element per
// slice and map, strings with characters encoding/json escapes.
func fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), depth+1)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), depth+1)
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), depth+1)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.String:
		v.SetString("a<b>&c\u2028")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(-7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(7)
	case reflect.Interface:
		v.Set(reflect.ValueOf(map[string]any{"k": []any{1.5, "s", true, nil}}))
	}
}
