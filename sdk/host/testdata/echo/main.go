// Command echo is a plugin for sdk/host's tests: it echoes, sleeps or exits on
// request.
package main

import (
	"context"
	"log"
	"os"
	"runtime"
	"time"

	"github.com/gdbos/gdbos/sdk"
)

func main() {
	sdk.Serve(sdk.Plugin{
		Manifest: sdk.Manifest{ID: "echo", Version: "1.0.0", Permissions: []sdk.Permission{{On: "tenants", Actions: []string{"read"}}}},
		GraphQL: &sdk.GraphQLExtension{SDL: "type EchoQuery { echo(s: String): String, tenants: Int, deadline: Int, fail: Int, procs: Int }", Resolvers: map[string]sdk.Resolver{
			"echo": func(_ context.Context, r sdk.FieldRequest) (any, error) { return r.Args["s"], nil },
			"sleep": func(ctx context.Context, _ sdk.FieldRequest) (any, error) {
				select {
				case <-time.After(10 * time.Second):
				case <-ctx.Done():
				}
				return nil, nil
			},
			"log": func(context.Context, sdk.FieldRequest) (any, error) {
				for i := 0; i < 1000; i++ {
					log.Printf("line %d from echo", i)
				}
				return nil, nil
			},
			"deadline": func(ctx context.Context, _ sdk.FieldRequest) (any, error) {
				d, ok := ctx.Deadline()
				if !ok {
					return nil, nil
				}
				return time.Until(d).Milliseconds(), nil
			},
			"procs": func(context.Context, sdk.FieldRequest) (any, error) { return runtime.GOMAXPROCS(0), nil },
			"fail": func(context.Context, sdk.FieldRequest) (any, error) {
				return nil, &sdk.Error{Code: "NOT_FOUND", Message: "nothing here"}
			},
			"exit": func(context.Context, sdk.FieldRequest) (any, error) { os.Exit(3); return nil, nil },
			"tenants": func(ctx context.Context, r sdk.FieldRequest) (any, error) {
				d, err := r.Kernel.Query(ctx, "{tenants{code}}", nil)
				if err != nil {
					return nil, err
				}
				return len(d["tenants"].([]any)), nil
			},
		}},
	})
}
