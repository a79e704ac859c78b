package resource

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store/storetest"
)

type conformanceFile struct {
	Cases []conformanceCase `json:"cases"`
}

type conformanceCase struct {
	Name   string `json:"name"`
	Layers []struct {
		Tenant string         `json:"tenant"`
		Spec   map[string]any `json:"spec"`
		Locks  []string       `json:"locks"`
	} `json:"layers"`
	At        string         `json:"at"`
	Error     apierr.Code    `json:"error"`
	Effective map[string]any `json:"effective"`
	Explain   []struct {
		Path     string  `json:"path"`
		Value    any     `json:"value"`
		Tenant   string  `json:"tenant"`
		Status   string  `json:"status"`
		LockedBy string  `json:"lockedBy"`
		Shadowed []Layer `json:"shadowed"`
	} `json:"explain"`
}

func TestConformance(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	must(t, err)
	for _, file := range files {
		raw, err := os.ReadFile(file)
		must(t, err)
		var f conformanceFile
		must(t, yaml.UnmarshalStrict(raw, &f))
		for _, tc := range f.Cases {
			t.Run(filepath.Base(file)+"/"+tc.Name, func(t *testing.T) { runConformance(t, tc) })
		}
	}
}

func runConformance(t *testing.T, tc conformanceCase) {
	ctx := context.Background()
	s := newService(t, storetest.SQLite(t))
	var err error
	for _, l := range tc.Layers {
		_, err = s.Apply(ctx, "t", []Object{item(l.Tenant, "x", l.Spec, l.Locks...)}, ApplyOptions{})
		if err != nil && tc.Error == "" {
			t.Fatal(err)
		}
	}
	if tc.Error != "" {
		wantCode(t, err, tc.Error)
		return
	}
	eff, err := s.Effective(ctx, "Item", tc.At, "x")
	must(t, err)
	if !equalValue(eff.Spec, tc.Effective) {
		t.Fatalf("effective = %v, want %v", eff.Spec, tc.Effective)
	}
	ex, err := s.Explain(ctx, "Item", tc.At, "x")
	must(t, err)
	if len(ex) != len(tc.Explain) {
		t.Fatalf("explain has %d fields, want %d: %+v", len(ex), len(tc.Explain), ex)
	}
	for i, w := range tc.Explain {
		g := ex[i]
		if g.Path != w.Path || !equalValue(g.Value, w.Value) || g.Tenant != w.Tenant || g.Status != w.Status ||
			g.LockedBy != w.LockedBy || !equalValue(g.Shadowed, w.Shadowed) {
			t.Errorf("field %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}
