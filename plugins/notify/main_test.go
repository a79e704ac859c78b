package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/sdk/sdktest"
)

func TestEventsBecomeNotifications(t *testing.T) {
	dir := t.TempDir()
	p := sdktest.Serve(t, New(&store{}), sdktest.Host{Tenant: "230102", DataDir: dir})
	if err := p.Event("resource.changed", map[string]any{"kind": "Module", "name": "catalog", "op": "update", "version": 2}); err != nil {
		t.Fatal(err)
	}
	got, err := p.Resolve("notifications", map[string]any{"last": 5})
	if err != nil {
		t.Fatal(err)
	}
	list := got.([]any)
	if len(list) != 1 || list[0].(map[string]any)["message"] != "配置变更: Module catalog update (版本 2)" {
		t.Fatalf("notifications = %v", got)
	}
	b, err := os.ReadFile(filepath.Join(dir, "notifications.jsonl"))
	if err != nil || !strings.Contains(string(b), `"tenant":"230102"`) {
		t.Fatalf("store: %s, %v", b, err)
	}
	// A restarted plugin reads its store back.
	again := sdktest.Serve(t, New(&store{}), sdktest.Host{Tenant: "230102", DataDir: dir})
	if got, _ := again.Resolve("notifications", nil); len(got.([]any)) != 1 {
		t.Fatalf("after a restart: %v", got)
	}
	// Another tenant sees none of them.
	other := sdktest.Serve(t, New(&store{}), sdktest.Host{Tenant: "230103", DataDir: dir})
	if got, _ := other.Resolve("notifications", nil); len(got.([]any)) != 0 {
		t.Fatalf("230103 sees 230102's notifications: %v", got)
	}
}

func TestLastIsBounded(t *testing.T) {
	p := sdktest.Serve(t, New(&store{}), sdktest.Host{})
	if _, err := p.Resolve("notifications", map[string]any{"last": 0}); err == nil {
		t.Fatal("last: 0 was accepted")
	}
}
