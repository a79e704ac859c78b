// Package plugintest builds real plugin binaries for tests and installs them in a
// test kernel: the kernel's plugin tests run real processes, never fakes.
package plugintest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/sdk/host"
)

// Binary is a built plugin.
type Binary struct {
	Path, SHA256 string
}

// Build compiles the main package in dir (a directory path, e.g. ./testdata/faulty)
// into out and returns the binary and its checksum. Call it from TestMain.
func Build(dir, out string) (Binary, error) {
	path := filepath.Join(out, filepath.Base(dir))
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", path, dir)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return Binary{}, fmt.Errorf("plugintest: go build %s: %v\n%s", dir, err, b)
	}
	sum, err := host.FileSHA256(path)
	if err != nil {
		return Binary{}, err
	}
	return Binary{Path: path, SHA256: sum}, nil
}

// Install installs b through GraphQL as token, with extra arguments such as
// "timeoutMs: 300", and fails the test on error.
func Install(t testing.TB, s *kerneltest.Server, token string, b Binary, extra string) {
	t.Helper()
	if extra != "" {
		extra = ", " + extra
	}
	s.MustDo(t, token, `mutation($b:String!,$s:String!){installPlugin(binary:$b, sha256:$s`+extra+`){id version}}`,
		map[string]any{"b": b.Path, "s": b.SHA256})
}

// Grant applies a PluginGrant of plugin id at tenant with the given capabilities
// (YAML flow list, e.g. "[graphql, events]") and permissions (YAML, may be empty).
func Grant(t testing.TB, s *kerneltest.Server, token, tenant, id, capabilities, permissions string) {
	t.Helper()
	yaml := "apiVersion: gdbos.io/v1\nkind: PluginGrant\nmetadata: {tenant: \"" + tenant + "\", name: " + id + "}\nspec:\n  capabilities: " + capabilities + "\n"
	if permissions != "" {
		yaml += "  permissions: " + permissions + "\n"
	}
	if r := s.Apply(t, token, yaml); len(r.Errors) > 0 {
		t.Fatalf("grant %s at %s: %s", id, tenant, r.Body)
	}
}
