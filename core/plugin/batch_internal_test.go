package plugin

import (
	"context"
	"reflect"
	"testing"

	"github.com/graphql-go/graphql"
)

// TestBatchArgumentsAreTheExecutors: the arguments planBatch reads from a query are
// the ones graphql-go's executor coerces for the same fields, for every argument type
// a plugin may declare, so batched fields are not called again one by one.
func TestBatchArgumentsAreTheExecutors(t *testing.T) {
	part, errs := buildSchemaPart("x", &GraphQLSpec{
		SDL: `enum XColor { RED GREEN }
type XQuery { f(s: String, i: Int!, fl: Float, b: Boolean, id: ID, c: XColor, l: [Int!], n: String): String }`,
		Resolvers: []string{"f"},
	}, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var planned *batch
	got := map[string]map[string]any{}
	f := part.query.Fields()["f"]
	f.Resolve = func(p graphql.ResolveParams) (any, error) {
		key := p.Info.FieldASTs[0].Name.Value
		if a := p.Info.FieldASTs[0].Alias; a != nil {
			key = a.Value
		}
		got[key] = p.Args
		return nil, nil
	}
	schema, err := graphql.NewSchema(graphql.SchemaConfig{Query: graphql.NewObject(graphql.ObjectConfig{Name: "Query", Fields: graphql.Fields{
		"x": &graphql.Field{Type: graphql.NewNonNull(part.query), Resolve: func(p graphql.ResolveParams) (any, error) {
			planned = planBatch(p, part.query)
			return struct{}{}, nil
		}},
	}})})
	if err != nil {
		t.Fatal(err)
	}
	res := graphql.Do(graphql.Params{Schema: schema, Context: context.Background(),
		RequestString: `query($i: Int!, $c: XColor, $l: [Int!], $s: String) { x {
			a: f(s: "é", i: 1, fl: 1.5, b: true, id: "7", c: GREEN, l: [1, 2])
			b: f(i: -3, fl: 2, id: 8, l: 5)
			c: f(i: $i, c: $c, l: $l, s: $s)
			d: f(i: 4) @skip(if: true)
		} }`,
		VariableValues: map[string]any{"i": 9, "c": "RED", "l": []any{3}},
	})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	if _, ok := planned.keys["d"]; ok || len(planned.keys) != 3 {
		t.Fatalf("planned %v, want a, b and c", planned.keys)
	}
	for key, args := range got {
		i, ok := planned.keys[key]
		if !ok {
			t.Errorf("%s was not planned", key)
			continue
		}
		if !sameArgs(planned.fields[i].Args, args) {
			t.Errorf("%s: planned %#v, the executor coerced %#v", key, planned.fields[i].Args, args)
		}
	}
	if !reflect.DeepEqual(planned.fields[0].Args["l"], []any{1, 2}) {
		t.Errorf("a.l = %#v", planned.fields[0].Args["l"])
	}
}
