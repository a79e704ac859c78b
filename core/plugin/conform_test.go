package plugin

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/graphql-go/graphql"
)

// TestConform checks answers, decoded as encoding/json decodes them, against types.
func TestConform(t *testing.T) {
	obj := graphql.NewObject(graphql.ObjectConfig{Name: "XCount", Fields: graphql.Fields{
		"n":    &graphql.Field{Type: graphql.NewNonNull(graphql.Int)},
		"f":    &graphql.Field{Type: graphql.Float},
		"id":   &graphql.Field{Type: graphql.ID},
		"tags": &graphql.Field{Type: graphql.NewList(graphql.String)},
	}})
	for _, tc := range []struct{ answer, err string }{
		{`{"n": 3, "f": 1.5, "id": 7, "tags": ["a", null]}`, ""},
		{`{"n": -2147483648, "id": "x"}`, ""},
		{`{"n": 2147483648}`, "x.n: number 2.147483648e+09 where Int is expected"},
		{`{"n": 1.5}`, "x.n: number 1.5 where Int is expected"},
		{`{"n": "1"}`, "x.n: string 1 where Int is expected"},
		{`{"f": 1}`, "x.n: null where Int! is required"},
		{`{"n": 1, "tags": ["a", 2]}`, "x.tags[1]: number 2 where String is expected"},
		{`{"n": 1, "other": 2}`, "x.other: XCount has no field other"},
		{`[1]`, "x: list where object XCount is expected"},
	} {
		var v any
		if err := json.Unmarshal([]byte(tc.answer), &v); err != nil {
			t.Fatal(err)
		}
		err := conform(obj, v, "x")
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: err = %v, want %q", tc.answer, err, tc.err)
		}
	}
}
