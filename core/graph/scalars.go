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
	switch v := v.(type) {
	case *ast.StringValue:
		return v.Value
	case *ast.BooleanValue:
		return v.Value
	case *ast.IntValue:
		if n, err := strconv.ParseInt(v.Value, 10, 64); err == nil {
			return n
		}
		f, _ := strconv.ParseFloat(v.Value, 64)
		return f
	case *ast.FloatValue:
		f, _ := strconv.ParseFloat(v.Value, 64)
		return f
	case *ast.EnumValue:
		return v.Value
	case *ast.ListValue:
		out := make([]any, len(v.Values))
		for i, e := range v.Values {
			out[i] = parseLiteral(e)
		}
		return out
	case *ast.ObjectValue:
		out := make(map[string]any, len(v.Fields))
		for _, f := range v.Fields {
			out[f.Name.Value] = parseLiteral(f.Value)
		}
		return out
	}
	return nil
}
