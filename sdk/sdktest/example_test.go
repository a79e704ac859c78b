package sdktest_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/gdbos/gdbos/sdk"
	"github.com/gdbos/gdbos/sdk/sdktest"
)

// greeter is a small plugin: one GraphQL field and one workflow action.
var greeter = sdk.Plugin{
	Manifest: sdk.Manifest{ID: "greeter", Version: "1.0.0", Name: "Greeter"},
	GraphQL: &sdk.GraphQLExtension{
		SDL: `type GreeterQuery { hello(name: String!): String! }`,
		Resolvers: map[string]sdk.Resolver{
			"hello": func(_ context.Context, r sdk.FieldRequest) (any, error) {
				return fmt.Sprintf("你好, %s (%s)", r.Args["name"], r.Tenant), nil
			},
		},
	},
	Actions: map[string]sdk.Action{
		"check-name": func(_ context.Context, r sdk.ActionRequest) (sdk.Outcome, error) {
			if name, _ := r.Case["name"].(string); strings.TrimSpace(name) == "" {
				return sdk.Outcome{Outcome: "reject", Message: "the applicant has no name"}, nil
			}
			return sdk.Outcome{Outcome: "pass"}, nil
		},
	},
}

// A vendor tests a plugin's field without a kernel.
func Example() {
	p, err := sdktest.New(greeter, sdktest.Host{Tenant: "230102"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	fmt.Println(p.Manifest().Capabilities())
	v, err := p.Resolve("hello", map[string]any{"name": "王芳"})
	fmt.Println(v, err)
	// Output:
	// [graphql actions]
	// 你好, 王芳 (230102) <nil>
}

// A workflow action gets the case and returns the branch the flow takes.
func ExamplePlugin_Action() {
	p, err := sdktest.New(greeter, sdktest.Host{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	out, _ := p.Action("check-name", map[string]any{"name": " "})
	fmt.Println(out.Outcome, out.Message)
	// Output: reject the applicant has no name
}

// A plugin calls the kernel back through Call.Kernel; the fake host answers with
// Host.Query.
func ExampleHost_Query() {
	lookup := sdk.Plugin{
		Manifest: sdk.Manifest{ID: "lookup", Version: "1.0.0",
			Permissions: []sdk.Permission{{On: "Enterprise", Actions: []string{"read"}}}},
		GraphQL: &sdk.GraphQLExtension{
			SDL: `type LookupQuery { count: Int! }`,
			Resolvers: map[string]sdk.Resolver{"count": func(ctx context.Context, r sdk.FieldRequest) (any, error) {
				data, err := r.Kernel.Query(ctx, `{enterprises{totalCount}}`, nil)
				if err != nil {
					return nil, err
				}
				return data["enterprises"].(map[string]any)["totalCount"], nil
			}},
		},
	}
	p, err := sdktest.New(lookup, sdktest.Host{
		Query: func(_ context.Context, tenant, query string, _ map[string]any) (map[string]any, error) {
			return map[string]any{"enterprises": map[string]any{"totalCount": 42}}, nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	fmt.Println(p.Resolve("count", nil))
	// Output: 42 <nil>
}
