package libcontainer

import (
	"slices"
	"testing"
)

func TestLastOfEachName(t *testing.T) {
	cases := []struct{ in, want []string }{
		{nil, []string{}},
		{[]string{"A=1", "B=2"}, []string{"A=1", "B=2"}},
		{[]string{"A=1", "B=2", "A=3"}, []string{"B=2", "A=3"}},
		{[]string{"A=1", "A=", "A=x=y"}, []string{"A=x=y"}},
		{[]string{"PATH=/a", "X=1", "PATH=/b", "X=2"}, []string{"PATH=/b", "X=2"}},
	}
	for _, c := range cases {
		if got := lastOfEachName(c.in); !slices.Equal(got, c.want) {
			t.Errorf("lastOfEachName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
