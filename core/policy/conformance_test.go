package policy

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// conformanceFile is one testdata/*.yaml file: policies and cases run against them.
type conformanceFile struct {
	Policies []Policy          `yaml:"policies"`
	Cases    []conformanceCase `yaml:"cases"`
}

type conformanceCase struct {
	Name    string   `yaml:"name"`
	Target  string   `yaml:"target"`
	Lineage []string `yaml:"lineage"`
	Subject Subject  `yaml:"subject"`
	// Filter is the expected row filter per dialect, "always" or "never"; Args its
	// arguments, and PgArgs PostgreSQL's when they differ (patterns do).
	Filter map[string]string `yaml:"filter"`
	Args   []any             `yaml:"args"`
	PgArgs []any             `yaml:"pgArgs"`
	// Error is a fragment of the expected RowFilter error.
	Error string `yaml:"error"`
	Rows  []struct {
		Allow bool           `yaml:"allow"`
		Row   map[string]any `yaml:"row"`
	} `yaml:"rows"`
	Guard   *GuardInput `yaml:"guard"`
	Reasons []string    `yaml:"reasons"`
}

var conformanceColumns = map[string]string{"tenant": "tenant", "path": "path", "username": "username", "disabled": "disabled", "level": "level"}

func TestConformance(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no conformance files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			cf := readConformance(t, file)
			e := NewEngine()
			if err := e.Load(cf.Policies); err != nil {
				t.Fatal(err)
			}
			for _, c := range cf.Cases {
				t.Run(c.Name, func(t *testing.T) { runConformanceCase(t, e, c) })
			}
		})
	}
}

func readConformance(t *testing.T, file string) conformanceFile {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cf conformanceFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cf); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return cf
}

func runConformanceCase(t *testing.T, e *Engine, c conformanceCase) {
	ctx := context.Background()
	if c.Target == "" {
		c.Target = "User"
	}
	if c.Guard != nil {
		got, err := e.Guard(ctx, c.Lineage, *c.Guard)
		if err != nil || !slices.Equal(got, c.Reasons) {
			t.Errorf("Guard = %q, %v; want %q", got, err, c.Reasons)
		}
		return
	}
	for dialect, want := range c.Filter {
		checkConformanceFilter(t, e, c, dialect, want)
	}
	for _, r := range c.Rows {
		got, err := e.AllowRow(ctx, c.Target, c.Lineage, c.Subject, r.Row)
		if err != nil || got != r.Allow {
			t.Errorf("AllowRow(%v) = %v, %v; want %v", r.Row, got, err, r.Allow)
		}
	}
}

func checkConformanceFilter(t *testing.T, e *Engine, c conformanceCase, dialect, want string) {
	t.Helper()
	f, err := e.RowFilter(context.Background(), c.Target, c.Lineage, c.Subject, Table{Dialect: dialect, Columns: conformanceColumns})
	if c.Error != "" {
		if err == nil || !strings.Contains(err.Error(), c.Error) {
			t.Errorf("%s: want error %q, got %v", dialect, c.Error, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: %v", dialect, err)
	}
	got := f.SQL
	switch {
	case f.Always:
		got = "always"
	case f.Never:
		got = "never"
	}
	args := c.Args
	if dialect == "postgres" && c.PgArgs != nil {
		args = c.PgArgs
	}
	if got != want || fmt.Sprint(f.Args) != fmt.Sprint(args) {
		t.Errorf("%s: got %s %v\nwant %s %v", dialect, got, f.Args, want, args)
	}
}
