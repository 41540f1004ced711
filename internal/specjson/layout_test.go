package specjson

import (
	"reflect"
	"testing"

	rspec "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/internal/specjson/specs"
)

// TestShadowLayout checks what the unsafe conversion between runtime-spec's
// types and their mirrors rests on: the same size, alignment, fields,
// offsets and tags, all the way down, and the mirrors' names.
func TestShadowLayout(t *testing.T) {
	checkSameLayout(t, reflect.TypeFor[rspec.Spec](), reflect.TypeFor[specs.Spec](), "Spec", map[reflect.Type]bool{})
	checkSameLayout(t, reflect.TypeFor[rspec.Process](), reflect.TypeFor[specs.Process](), "Process", map[reflect.Type]bool{})
}

func checkSameLayout(t *testing.T, orig, mirror reflect.Type, path string, done map[reflect.Type]bool) {
	t.Helper()
	if orig == mirror {
		return
	}
	if orig.Kind() != mirror.Kind() || orig.Size() != mirror.Size() || orig.Align() != mirror.Align() {
		t.Fatalf("%s: %v (kind %v, size %d, align %d) against %v (kind %v, size %d, align %d)", path,
			orig, orig.Kind(), orig.Size(), orig.Align(), mirror, mirror.Kind(), mirror.Size(), mirror.Align())
	}
	switch orig.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		if orig.Kind() == reflect.Array && orig.Len() != mirror.Len() {
			t.Fatalf("%s: array lengths %d and %d", path, orig.Len(), mirror.Len())
		}
		checkSameLayout(t, orig.Elem(), mirror.Elem(), path+"[]", done)
	case reflect.Map:
		checkSameLayout(t, orig.Key(), mirror.Key(), path+"{key}", done)
		checkSameLayout(t, orig.Elem(), mirror.Elem(), path+"{}", done)
	case reflect.Struct:
		if done[orig] {
			return
		}
		done[orig] = true
		if orig.Name() != mirror.Name() || mirror.PkgPath() != reflect.TypeFor[specs.Spec]().PkgPath() {
			t.Fatalf("%s: %v mirrored by %v", path, orig, mirror)
		}
		if mirror.String() != orig.String() {
			t.Fatalf("%s: %v prints as %v (error messages would differ)", path, orig, mirror)
		}
		if orig.NumField() != mirror.NumField() {
			t.Fatalf("%s: %d fields against %d", path, orig.NumField(), mirror.NumField())
		}
		for i := range orig.NumField() {
			a, b := orig.Field(i), mirror.Field(i)
			if a.Name != b.Name || a.Offset != b.Offset || a.Tag != b.Tag || a.Anonymous != b.Anonymous {
				t.Fatalf("%s.%s: field %d differs: %+v against %+v", path, a.Name, i, a, b)
			}
			checkSameLayout(t, a.Type, b.Type, path+"."+a.Name, done)
		}
	default:
		t.Fatalf("%s: %v and %v differ and are not mirrored", path, orig, mirror)
	}
}
