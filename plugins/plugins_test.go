package plugins_test

import (
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/plugin/plugintest"
)

var reference = []string{"credit-check", "notify", "service-hall"}

var bins = map[string]plugintest.Binary{}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "reference-plugins-")
	if err != nil {
		panic(err)
	}
	for _, name := range reference {
		if bins[name], err = plugintest.Build("./"+name, dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestImportOnlyTheSDK keeps the reference plugins honest: what a vendor can do, they do.
func TestImportOnlyTheSDK(t *testing.T) {
	for _, name := range reference {
		files, _ := filepath.Glob(filepath.Join(name, "*.go"))
		for _, f := range files {
			file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range file.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if strings.Contains(path, ".") && !strings.HasPrefix(path, "github.com/gdbos/gdbos/sdk") {
					t.Errorf("%s imports %s: reference plugins import only the standard library and the SDK", f, path)
				}
			}
		}
	}
}

func TestReferencePluginsInAKernel(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	admin := s.Admin(t)
	for _, name := range reference {
		plugintest.Install(t, s, admin, bins[name], "")
	}
	plugintest.Grant(t, s, admin, "230102", "credit-check", "[graphql, actions]", "")
	plugintest.Grant(t, s, admin, "230102", "notify", "[graphql, events]", "")
	plugintest.Grant(t, s, admin, "230100", "service-hall", "[graphql]", "")

	t.Run("credit-check field", func(t *testing.T) {
		d := s.Data(t, "230102", admin, `{creditCheck{status(uscc:"91230104MA1CD5EF6G"){name level score}}}`, nil)
		if len(d.Errors) > 0 || !strings.Contains(d.Body, `"level":"BLACKLISTED"`) || !strings.Contains(d.Body, `"score":18`) {
			t.Fatalf("%s", d.Body)
		}
	})
	t.Run("credit-check action", func(t *testing.T) {
		out, err := s.K.Plugins().RunAction(context.Background(), "230102", "clerk", "credit-check", "check", map[string]any{"uscc": "91230103MA1BC4DE5F"})
		if err != nil || out.Outcome != "review" {
			t.Fatalf("%+v, %v", out, err)
		}
		if _, err := s.K.Plugins().RunAction(context.Background(), "230103", "clerk", "credit-check", "check", map[string]any{"uscc": "x"}); err == nil ||
			!strings.Contains(err.Error(), "tenant 230103 does not grant plugin credit-check") {
			t.Fatalf("an action at a tenant without the grant: %v", err)
		}
	})
	t.Run("notify", func(t *testing.T) {
		yaml := "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230102\", name: catalog}\nspec: {enabled: true}\n"
		if r := s.Apply(t, admin, yaml); len(r.Errors) > 0 {
			t.Fatal(r.Body)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			d := s.Data(t, "230102", admin, `{notify{notifications(last: 5){tenant topic message}}}`, nil)
			if strings.Contains(d.Body, "配置变更: Module catalog") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no notification of the change: %s", d.Body)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	t.Run("service-hall inherited grant", func(t *testing.T) {
		for tenant, want := range map[string]string{"230102": "道里区政务服务中心", "230103": "南岗区政务服务中心"} {
			d := s.Data(t, tenant, admin, `{serviceHall{halls{name windows hours{days open close}}}}`, nil)
			if len(d.Errors) > 0 || !strings.Contains(d.Body, want) {
				t.Fatalf("%s: %s", tenant, d.Body)
			}
		}
	})
	t.Run("catalog", func(t *testing.T) {
		d := s.MustDo(t, admin, `{plugins{id version capabilities namespace}}`, nil)
		if len(d["plugins"].([]any)) != 3 {
			t.Fatalf("%v", d)
		}
	})
}
