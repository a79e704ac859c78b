package sdktest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/sdk"
	"github.com/gdbos/gdbos/sdk/host"
	"github.com/gdbos/gdbos/sdk/sdktest"
)

func TestCapabilitiesAreOnlyThoseSet(t *testing.T) {
	p := sdktest.Serve(t, sdk.Plugin{
		Manifest: sdk.Manifest{ID: "only-events", Version: "1"},
		Events:   map[string]sdk.EventHandler{"resource.": func(context.Context, sdk.Event) error { return nil }},
	}, sdktest.Host{})
	m := p.Manifest()
	if got := strings.Join(m.Capabilities(), ","); got != "events" {
		t.Fatalf("capabilities = %q, want events", got)
	}
	if m.GraphQL != nil || len(m.Actions) > 0 {
		t.Fatalf("manifest lists capabilities that were not set: %+v", m)
	}
	if _, err := p.Resolve("x", nil); err == nil {
		t.Fatal("resolving a field of a plugin without GraphQL succeeded")
	}
}

func TestHandlerErrorsKeepTheirCode(t *testing.T) {
	p := sdktest.Serve(t, sdk.Plugin{
		Manifest: sdk.Manifest{ID: "errs", Version: "1"},
		GraphQL: &sdk.GraphQLExtension{SDL: "type ErrsQuery { a: String }", Resolvers: map[string]sdk.Resolver{
			"a": func(context.Context, sdk.FieldRequest) (any, error) {
				return nil, sdk.Errorf("NOT_FOUND", "no such enterprise")
			},
		}},
	}, sdktest.Host{})
	_, err := p.Resolve("a", nil)
	var f *host.Failure
	if !errors.As(err, &f) || f.Code != "NOT_FOUND" || f.Message != "no such enterprise" {
		t.Fatalf("err = %v, want a NOT_FOUND failure", err)
	}
}

func TestSetupGetsTheDataDir(t *testing.T) {
	dir := t.TempDir()
	sdktest.Serve(t, sdk.Plugin{
		Manifest: sdk.Manifest{ID: "setup", Version: "1"},
		Events:   map[string]sdk.EventHandler{"x": func(context.Context, sdk.Event) error { return nil }},
		Setup: func(_ context.Context, env sdk.Env) error {
			return os.WriteFile(filepath.Join(env.DataDir, "ready"), nil, 0o600)
		},
	}, sdktest.Host{DataDir: dir})
	if _, err := os.Stat(filepath.Join(dir, "ready")); err != nil {
		t.Fatalf("setup did not run in the data dir: %v", err)
	}
}

func TestInvalidPluginIsRefusedWithPaths(t *testing.T) {
	_, err := sdktest.New(sdk.Plugin{
		Manifest: sdk.Manifest{ID: "Bad_ID"},
		GraphQL:  &sdk.GraphQLExtension{},
	}, sdktest.Host{})
	if err == nil {
		t.Fatal("an invalid plugin was served")
	}
	for _, want := range []string{"manifest.id", "manifest.version", "graphql.sdl", "graphql.resolvers"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}
