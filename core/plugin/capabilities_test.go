package plugin_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/plugin/plugintest"
)

// TestQualityRulesAndDataSources calls the governance contracts through the kernel:
// only where they are granted, and with the plugin's answers as plain values.
func TestQualityRulesAndDataSources(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	admin := s.Admin(t)
	plugintest.Install(t, s, admin, faulty, "")
	plugintest.Grant(t, s, admin, "230102", "faulty", "[qualityRules, dataSources]", "")
	m := s.K.Plugins()
	ctx := context.Background()
	issues, err := m.CheckQuality(ctx, "230102", "faulty", "uscc-length", map[string]any{"uscc": "123"})
	if err != nil || len(issues) != 1 || issues[0].Path != "/uscc" {
		t.Fatalf("quality: %+v, %v", issues, err)
	}
	rows, err := m.ReadSource(ctx, "230102", "faulty", "numbers", map[string]any{"n": 3})
	if err != nil || len(rows) != 3 || rows[2]["n"] != float64(2) {
		t.Fatalf("source: %v, %v", rows, err)
	}
	if _, err := m.CheckQuality(ctx, "230103", "faulty", "uscc-length", nil); err == nil || !strings.Contains(err.Error(), "does not grant") {
		t.Fatalf("quality at a tenant without the grant: %v", err)
	}
	// The grant gives quality rules and data sources, not GraphQL.
	if r := s.Data(t, "230102", admin, `{faulty{ok}}`, nil); len(r.Errors) == 0 {
		t.Fatalf("GraphQL without its grant: %s", r.Body)
	}
}
