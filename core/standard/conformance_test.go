package standard_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gdbos/gdbos/core/standard"
)

type conformanceCase struct {
	Element  any    `yaml:"element"`
	Value    any    `yaml:"value"`
	At       string `yaml:"at"`
	OK       bool   `yaml:"ok"`
	Problems []struct {
		Rule    string `yaml:"rule"`
		Message string `yaml:"message"`
	} `yaml:"problems"`
}

// TestConformance runs the cases of testdata/*.yaml.
func TestConformance(t *testing.T) {
	c := catalog(t)
	files, _ := filepath.Glob("testdata/*.yaml")
	if len(files) == 0 {
		t.Fatal("no conformance files")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cases []conformanceCase
		if err := yaml.Unmarshal(data, &cases); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, tc := range cases {
			e := conformanceElement(t, c, tc.Element)
			at := time.Now()
			if tc.At != "" {
				if at, err = time.Parse(time.RFC3339, tc.At); err != nil {
					t.Fatalf("%s case %d: %v", f, i, err)
				}
			}
			ps := e.CheckAt(tc.Value, at)
			if (len(ps) == 0) != tc.OK {
				t.Errorf("%s case %d (%v %v): ok=%v, problems %v", f, i, tc.Element, tc.Value, tc.OK, ps)
				continue
			}
			if len(tc.Problems) > 0 && len(ps) != len(tc.Problems) {
				t.Errorf("%s case %d: want %d problems, got %v", f, i, len(tc.Problems), ps)
			}
			for _, want := range tc.Problems {
				if !hasProblem(ps, want.Rule, want.Message) {
					t.Errorf("%s case %d (%v %v): no %s problem with %q in %v", f, i, tc.Element, tc.Value, want.Rule, want.Message, ps)
				}
			}
		}
	}
}

func conformanceElement(t *testing.T, c *standard.Catalog, el any) *standard.Element {
	t.Helper()
	if name, ok := el.(string); ok {
		return element(t, c, name)
	}
	data, _ := json.Marshal(el)
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	e, err := standard.CompileSpec("inline", spec, c)
	if err != nil {
		t.Fatalf("inline element %v: %v", el, err)
	}
	return e
}
