// Command faulty is a plugin for the kernel's fault tests: each field misbehaves in
// one way.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/gdbos/gdbos/sdk"
)

const sdl = `
type FaultyQuery {
  ok: String!
  panic: String
  exit: String
  hang: String
  slow(ms: Int!): String
  malformed: FaultyCount
  flood(lines: Int!): String
  fails: String
  tenants: Int
}
type FaultyCount { count: Int! }
`

func main() {
	started := time.Now()
	sdk.Serve(sdk.Plugin{
		Manifest: sdk.Manifest{ID: "faulty", Version: "1.0.0", Name: "Faulty",
			Permissions: []sdk.Permission{{On: "Enterprise", Actions: []string{"read", "write"}}}},
		GraphQL: &sdk.GraphQLExtension{SDL: sdl, Resolvers: map[string]sdk.Resolver{
			"ok": func(_ context.Context, r sdk.FieldRequest) (any, error) {
				return fmt.Sprintf("ok %s %s pid %d up %s", r.Tenant, r.User, os.Getpid(), time.Since(started).Round(time.Millisecond)), nil
			},
			"panic": func(context.Context, sdk.FieldRequest) (any, error) { panic("faulty: panic on purpose") },
			"exit":  func(context.Context, sdk.FieldRequest) (any, error) { os.Exit(2); return nil, nil },
			"hang":  func(context.Context, sdk.FieldRequest) (any, error) { select {} },
			"slow": func(_ context.Context, r sdk.FieldRequest) (any, error) {
				time.Sleep(time.Duration(r.Args["ms"].(float64)) * time.Millisecond)
				return "slow", nil
			},
			"malformed": func(context.Context, sdk.FieldRequest) (any, error) {
				return map[string]any{"count": "many"}, nil
			},
			"flood": func(_ context.Context, r sdk.FieldRequest) (any, error) {
				line := strings.Repeat("x", 200)
				for i := 0; i < int(r.Args["lines"].(float64)); i++ {
					log.Print(line)
				}
				return "flooded", nil
			},
			"fails": func(context.Context, sdk.FieldRequest) (any, error) {
				return nil, sdk.Errorf("NOT_FOUND", "no such thing")
			},
			"tenants": func(ctx context.Context, r sdk.FieldRequest) (any, error) {
				// Creating a record needs Enterprise:write at the tenant: without it the
				// kernel answers FORBIDDEN, with it VALIDATION_FAILED (the code is not a
				// valid credit code), and nothing is written either way.
				if _, err := r.Kernel.Query(ctx, `mutation{createEnterprise(input:{uscc:"bad", name:"x"}){id}}`, nil); err != nil {
					return nil, err
				}
				d, err := r.Kernel.Query(ctx, `{enterprises{totalCount}}`, nil)
				if err != nil {
					return nil, err
				}
				return d["enterprises"].(map[string]any)["totalCount"], nil
			},
		}},
		Events: map[string]sdk.EventHandler{
			// Every resource change hangs the handler until the kernel gives up on it.
			"resource.": func(ctx context.Context, _ sdk.Event) error {
				<-ctx.Done()
				return ctx.Err()
			},
		},
		QualityRules: map[string]sdk.QualityRule{
			"uscc-length": func(_ context.Context, r sdk.RecordRequest) ([]sdk.Issue, error) {
				if s, _ := r.Record["uscc"].(string); len(s) != 18 {
					return []sdk.Issue{{Path: "/uscc", Message: fmt.Sprintf("has %d characters, not 18", len(s))}}, nil
				}
				return nil, nil
			},
		},
		DataSources: map[string]sdk.DataSource{
			"numbers": func(_ context.Context, r sdk.SourceRequest) ([]map[string]any, error) {
				var rows []map[string]any
				for i := 0; i < int(r.Query["n"].(float64)); i++ {
					rows = append(rows, map[string]any{"n": i})
				}
				return rows, nil
			},
		},
	})
}
