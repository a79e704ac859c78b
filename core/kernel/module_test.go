package kernel_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect/sql/schema"
	"entgo.io/ent/schema/field"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/kernel"
	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/module"
	"github.com/gdbos/gdbos/core/resource"
)

// greeter is a module as small as the contract allows: a kind, a permission and a
// query field that answers only where the module is enabled.
type greeter struct {
	host module.Host
	seen atomic.Int64 // Module events received
}

func (*greeter) Info() module.Info {
	return module.Info{ID: "gdbos.modules.greeter", Name: "Greeter", Description: "says hello where enabled"}
}

func (g *greeter) Provision(ctx context.Context, h module.Host) error {
	g.host = h
	table := &schema.Table{
		Name:    "greeter_visits",
		Columns: []*schema.Column{{Name: "id", Type: field.TypeInt, Increment: true}, {Name: "tenant", Type: field.TypeString}},
	}
	table.PrimaryKey = table.Columns[:1]
	if err := h.Migrate(ctx, table); err != nil {
		return err
	}
	h.Subscribe(kernel.TopicResourceChanged, func(_ context.Context, e event.Event) {
		if strings.Contains(string(e.Payload), `"kind":"Module"`) {
			g.seen.Add(1)
		}
	})
	if err := h.RegisterKind(resource.Kind{Name: "Greeting", Inheritable: true, Schema: []byte(`{
		"type":"object","additionalProperties":false,"required":["text"],
		"properties":{"text":{"type":"string","minLength":1}}}`)}); err != nil {
		return err
	}
	if err := h.RegisterPermission(module.Permission{On: "greetings", Actions: []string{"read"}, Description: "read greetings"}); err != nil {
		return err
	}
	return h.AddQuery("greeting", &graphql.Field{
		Type: graphql.String,
		Args: graphql.FieldConfigArgument{"tenant": {Type: graphql.NewNonNull(graphql.String)}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			tc := p.Args["tenant"].(string)
			if err := h.Authorize(p.Context, tc, "greetings", "read"); err != nil {
				return nil, err
			}
			on, err := h.Enabled(p.Context, tc)
			if err != nil || !on {
				return nil, err
			}
			insert := "INSERT INTO greeter_visits (tenant) VALUES (?)"
			if h.Store().IsPostgres() {
				insert = "INSERT INTO greeter_visits (tenant) VALUES ($1)"
			}
			if _, err := h.Store().DB.ExecContext(p.Context, insert, tc); err != nil {
				return nil, err
			}
			return "hello from " + tc, nil
		},
	})
}

var _ module.Provisioner = (*greeter)(nil)

func TestModuleContract(t *testing.T) {
	kerneltest.DialectOptions(t, func(t *testing.T, opts kerneltest.Options) {
		g := &greeter{}
		opts.Modules = []module.Module{g}
		s := kerneltest.Start(t, opts)
		tokens := fixture(t, s)
		runScenarios(t, s, tokens, []scenario{
			{name: "disabled by default", as: "admin", query: `{greeting(tenant:"230102")}`, contains: []string{`"greeting":null`}},
			{name: "its kind is registered", as: "admin", query: `{kinds{name}}`, contains: []string{`"Greeting"`}},
			{name: "its fields need a signed-in caller", query: `{greeting(tenant:"230102")}`, code: "UNAUTHENTICATED"},
			{name: "its permission is checked", as: "daoli", query: `{greeting(tenant:"230102")}`, code: "FORBIDDEN"},
		})
		if r := s.Apply(t, tokens["admin"], "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230100\", name: greeter}\nspec: {enabled: true}\n"); len(r.Errors) > 0 {
			t.Fatalf("enable: %s", r.Body)
		}
		runScenarios(t, s, tokens, []scenario{
			{name: "enabled at the city, it runs in the district", as: "admin", query: `{greeting(tenant:"230102")}`, contains: []string{"hello from 230102"}},
			{name: "and not in another city", as: "admin", query: `{greeting(tenant:"230200")}`, contains: []string{`"greeting":null`}},
		})
		var visits int
		if err := s.K.Store().DB.QueryRow("SELECT COUNT(*) FROM greeter_visits").Scan(&visits); err != nil || visits != 1 {
			t.Fatalf("the module's own table: %d visits, %v", visits, err)
		}
		deadline := time.Now().Add(2 * time.Second)
		for g.seen.Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if g.seen.Load() == 0 {
			t.Fatal("the module's event handler never saw the Module change")
		}
	})
}
