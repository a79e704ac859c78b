package graph

import (
	"strconv"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

// jsonScalar is any JSON value: specs, labels, values in explanations and diffs.
var jsonScalar = graphql.NewScalar(graphql.ScalarConfig{
	Name:         "JSON",
	Description:  "Any JSON value.",
	Serialize:    func(v any) any { return v },
	ParseValue:   func(v any) any { return v },
	ParseLiteral: parseLiteral,
})

func parseLiteral(v ast.Value) any {
	return ParseLiteral(v, func(s string) any {
		f, _ := strconv.ParseFloat(s, 64)
		return f
	})
}

// ParseLiteral turns a GraphQL literal into the Go value a JSON decoder would give
// (strings, booleans, int64, lists, maps), with float literals made by float.
func ParseLiteral(v ast.Value, float func(string) any) any {
	switch v := v.(type) {
	case *ast.StringValue:
		return v.Value
	case *ast.BooleanValue:
		return v.Value
	case *ast.IntValue:
		if n, err := strconv.ParseInt(v.Value, 10, 64); err == nil {
			return n
		}
		return float(v.Value)
	case *ast.FloatValue:
		return float(v.Value)
	case *ast.EnumValue:
		return v.Value
	case *ast.ListValue:
		out := make([]any, len(v.Values))
		for i, e := range v.Values {
			out[i] = ParseLiteral(e, float)
		}
		return out
	case *ast.ObjectValue:
		out := make(map[string]any, len(v.Fields))
		for _, f := range v.Fields {
			out[f.Name.Value] = ParseLiteral(f.Value, float)
		}
		return out
	}
	return nil
}
