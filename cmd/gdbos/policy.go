package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/gdbos/gdbos/core/policy"
)

func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Work with attribute policies (Rego)"}
	var verbose bool
	test := &cobra.Command{
		Use:   "test DIR",
		Short: "Run the Rego tests (*_test.rego) in DIR against its policies",
		Long: `Run the Rego tests in DIR, as opa test does, against the policies the server would
load: .rego files and Policy resources in .yaml or .yml files (spec.module holds the
Rego). A Policy the server would refuse fails the run. Exits non-zero when a test fails.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPolicyTests(cmd.Context(), args[0], verbose, cmd.OutOrStdout())
		},
	}
	test.Flags().BoolVarP(&verbose, "verbose", "v", false, "show print output and a trace for failing tests")
	cmd.AddCommand(test)
	return cmd
}

func runPolicyTests(ctx context.Context, dir string, verbose bool, out io.Writer) error {
	modules, err := loadPolicyDir(dir)
	if err != nil {
		return err
	}
	ch, err := tester.NewRunner().
		SetStore(inmem.New()).
		SetDefaultRegoVersion(ast.RegoV1).
		CapturePrintOutput(verbose).
		EnableTracing(verbose).
		SetModules(modules).
		RunTests(ctx, nil)
	if err != nil {
		return fmt.Errorf("policy: test: %w", err)
	}
	var results []*tester.Result
	for r := range ch {
		results = append(results, r)
	}
	return reportTests(results, verbose, out)
}

func reportTests(results []*tester.Result, verbose bool, out io.Writer) error {
	slices.SortFunc(results, func(a, b *tester.Result) int {
		return strings.Compare(a.Package+"."+a.Name, b.Package+"."+b.Name)
	})
	var passed, failed, skipped int
	for _, r := range results {
		switch {
		case r.Skip:
			skipped++
		case r.Pass():
			passed++
		default:
			failed++
		}
		fmt.Fprintf(out, "%s: %s\n", strings.ToUpper(outcome(r)), testName(r))
		if verbose && !r.Pass() && !r.Skip {
			writeDetails(out, r)
		}
	}
	summary := fmt.Sprintf("%d passed, %d failed", passed, failed)
	if skipped > 0 {
		summary += fmt.Sprintf(", %d skipped", skipped)
	}
	fmt.Fprintln(out, summary)
	if failed > 0 {
		return fmt.Errorf("policy: %d of %d tests failed", failed, passed+failed)
	}
	if passed == 0 {
		return errors.New("policy: no tests found (rules named test_… in *_test.rego files)")
	}
	return nil
}

func outcome(r *tester.Result) string {
	switch {
	case r.Skip:
		return "skip"
	case r.Error != nil:
		return "error"
	case r.Fail:
		return "fail"
	}
	return "pass"
}

func testName(r *tester.Result) string {
	name := r.Package + "." + r.Name
	if r.Location != nil {
		name += fmt.Sprintf(" (%s:%d)", r.Location.File, r.Location.Row)
	}
	if r.Error != nil {
		name += ": " + r.Error.Error()
	}
	return name
}

func writeDetails(out io.Writer, r *tester.Result) {
	if len(r.Output) > 0 {
		fmt.Fprintf(out, "  output:\n%s", indent(string(r.Output)))
	}
	if len(r.Trace) > 0 {
		var b bytes.Buffer
		topdown.PrettyTraceWithLocation(&b, r.Trace)
		fmt.Fprintf(out, "  trace:\n%s", indent(b.String()))
	}
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ") + "\n"
}

// loadPolicyDir reads every .rego file and every Policy resource under dir; a Policy
// is checked with policy.Compile, as the server checks it on upload.
func loadPolicyDir(dir string) (map[string]*ast.Module, error) {
	modules := map[string]*ast.Module{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(path) {
		case ".rego":
			return addRegoFile(modules, path)
		case ".yaml", ".yml":
			return addPolicyResources(modules, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("policy: load %s: %w", dir, err)
	}
	return modules, nil
}

func addRegoFile(modules map[string]*ast.Module, path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return addModule(modules, path, string(src))
}

func addModule(modules map[string]*ast.Module, name, src string) error {
	m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
	if err != nil {
		return err
	}
	modules[name] = m
	return nil
}

// policyResource is the part of a Policy resource the tests need.
type policyResource struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Tenant string `yaml:"tenant"`
		Name   string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Purpose string `yaml:"purpose"`
		Target  string `yaml:"target"`
		Module  string `yaml:"module"`
	} `yaml:"spec"`
}

func addPolicyResources(modules map[string]*ast.Module, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for i := 0; ; i++ {
		var r policyResource
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if r.Kind != "Policy" {
			continue
		}
		p := policy.Policy{Tenant: r.Metadata.Tenant, Name: r.Metadata.Name, Purpose: r.Spec.Purpose, Target: r.Spec.Target, Module: r.Spec.Module}
		if err := policy.Compile(p); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := addModule(modules, fmt.Sprintf("%s#%d(%s/%s)", path, i, p.Tenant, p.Name), p.Module); err != nil {
			return err
		}
	}
}
