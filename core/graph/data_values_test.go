package graph

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"
)

// coercionSchema has one field, echo, whose arguments cover each kind of input type;
// its resolver keeps the arguments graphql-go hands it in *got.
func coercionSchema(t *testing.T, got *map[string]any) graphql.Schema {
	t.Helper()
	upper := graphql.NewScalar(graphql.ScalarConfig{
		Name:      "Upper",
		Serialize: func(v any) any { return v },
		ParseValue: func(v any) any {
			if s, ok := v.(string); ok {
				return strings.ToUpper(s)
			}
			return nil
		},
		ParseLiteral: func(v ast.Value) any {
			if s, ok := v.(*ast.StringValue); ok {
				return strings.ToUpper(s.Value)
			}
			return nil
		},
	})
	color := graphql.NewEnum(graphql.EnumConfig{
		Name: "Color",
		Values: graphql.EnumValueConfigMap{
			"RED":   {Value: "r"},
			"GREEN": {Value: "g"},
		},
	})
	filter := graphql.NewInputObject(graphql.InputObjectConfig{
		Name: "Filter",
		Fields: graphql.InputObjectConfigFieldMap{
			"name":  {Type: graphql.String},
			"limit": {Type: graphql.Int, DefaultValue: 10},
			"tags":  {Type: graphql.NewList(graphql.String)},
		},
	})
	strict := graphql.NewInputObject(graphql.InputObjectConfig{
		Name: "Strict",
		Fields: graphql.InputObjectConfigFieldMap{
			"must": {Type: graphql.NewNonNull(graphql.String)},
			"d":    {Type: graphql.Int, DefaultValue: 3},
		},
	})
	schema, err := graphql.NewSchema(graphql.SchemaConfig{Query: graphql.NewObject(graphql.ObjectConfig{
		Name: "Query",
		Fields: graphql.Fields{"echo": &graphql.Field{
			Type: graphql.String,
			Args: graphql.FieldConfigArgument{
				"s":      {Type: graphql.String},
				"sd":     {Type: graphql.String, DefaultValue: "dflt"},
				"list":   {Type: graphql.NewList(graphql.Int)},
				"nnl":    {Type: graphql.NewList(graphql.NewNonNull(graphql.Int))},
				"color":  {Type: color},
				"up":     {Type: upper},
				"f":      {Type: filter},
				"fs":     {Type: graphql.NewList(filter)},
				"strict": {Type: strict},
			},
			Resolve: func(p graphql.ResolveParams) (any, error) {
				*got = p.Args
				return "ok", nil
			},
		}},
	})})
	if err != nil {
		t.Fatal(err)
	}
	return schema
}

// TestInputCoercion: the arguments argumentValues and variableValues make from a
// query and its variables are those graphql-go's executor hands the resolver, and
// the variables variableValues refuses are those graphql-go refuses. Each case is
// checked against both, so the expectations are graphql-go's observable behaviour.
func TestInputCoercion(t *testing.T) {
	// refused: graphql-go refuses the variables and so must variableValues; invalid:
	// graphql-go refuses the query before execution, and coercion is not reached.
	const refused, invalid = "refused", "invalid"
	dflt := "dflt"
	tests := []struct {
		name  string
		query string
		vars  string // JSON, as a request carries them
		want  any    // the resolver's arguments, or refused
	}{
		// Literals.
		{"no arguments: only defaults", `{ echo }`, ``, map[string]any{"sd": dflt}},
		{"a string literal", `{ echo(s: "a") }`, ``, map[string]any{"s": "a", "sd": dflt}},
		{"a literal overrides the default", `{ echo(sd: "x") }`, ``, map[string]any{"sd": "x"}},
		{"a list literal", `{ echo(list: [1, 2]) }`, ``, map[string]any{"list": []any{1, 2}, "sd": dflt}},
		{"a single value is a list of one", `{ echo(list: 3) }`, ``, map[string]any{"list": []any{3}, "sd": dflt}},
		{"an empty list", `{ echo(list: []) }`, ``, map[string]any{"list": []any{}, "sd": dflt}},
		{"an enum literal is its value", `{ echo(color: GREEN) }`, ``, map[string]any{"color": "g", "sd": dflt}},
		{"a custom scalar parses its literal", `{ echo(up: "abc") }`, ``, map[string]any{"up": "ABC", "sd": dflt}},
		{"an input object: missing fields get defaults", `{ echo(f: {name: "a"}) }`, ``,
			map[string]any{"f": map[string]any{"name": "a", "limit": 10}, "sd": dflt}},
		{"an enum literal of another enum's name is no value", `{ echo(color: BLUE) }`, ``, "invalid"},
		{"an empty input object", `{ echo(f: {}) }`, ``, map[string]any{"f": map[string]any{"limit": 10}, "sd": dflt}},
		{"a list of input objects from one object", `{ echo(fs: {name: "a", tags: "t"}) }`, ``,
			map[string]any{"fs": []any{map[string]any{"name": "a", "limit": 10, "tags": []any{"t"}}}, "sd": dflt}},

		// Variables.
		{"a variable", `query($s: String) { echo(s: $s) }`, `{"s": "v"}`, map[string]any{"s": "v", "sd": dflt}},
		{"an absent variable is no argument", `query($s: String) { echo(s: $s) }`, `{}`, map[string]any{"sd": dflt}},
		{"a null variable is no argument", `query($s: String) { echo(s: $s) }`, `{"s": null}`, map[string]any{"sd": dflt}},
		{"an absent variable takes the argument's default", `query($v: String) { echo(sd: $v) }`, `{}`, map[string]any{"sd": dflt}},
		{"an absent variable takes its own default", `query($s: String = "d") { echo(s: $s) }`, `{}`, map[string]any{"s": "d", "sd": dflt}},
		{"a null variable takes its own default too", `query($s: String = "d") { echo(s: $s) }`, `{"s": null}`, map[string]any{"s": "d", "sd": dflt}},
		{"a variable's default is coerced", `query($l: [Int] = 7) { echo(list: $l) }`, ``, map[string]any{"list": []any{7}, "sd": dflt}},
		{"a given variable overrides its default", `query($s: String = "d") { echo(s: $s) }`, `{"s": "g"}`, map[string]any{"s": "g", "sd": dflt}},
		{"a variable list", `query($l: [Int]) { echo(list: $l) }`, `{"l": [1, null, 3]}`, map[string]any{"list": []any{1, nil, 3}, "sd": dflt}},
		{"a single variable value is a list of one", `query($l: [Int]) { echo(list: $l) }`, `{"l": 4}`, map[string]any{"list": []any{4}, "sd": dflt}},
		{"a variable item of the wrong type", `query($l: [Int]) { echo(list: $l) }`, `{"l": [1, "x"]}`, refused},
		{"a float for an Int is cut to an Int (graphql-go; the spec refuses it)", `query($l: [Int]) { echo(list: $l) }`, `{"l": 3.5}`,
			map[string]any{"list": []any{3}, "sd": dflt}},
		{"a numeric string for an Int is read as one (graphql-go)", `query($l: [Int]) { echo(list: $l) }`, `{"l": "3"}`,
			map[string]any{"list": []any{3}, "sd": dflt}},
		{"a string that is no number for an Int", `query($l: [Int]) { echo(list: $l) }`, `{"l": "three"}`, refused},
		{"a null item for a non-null item type", `query($l: [Int!]) { echo(nnl: $l) }`, `{"l": [1, null]}`, refused},
		{"a non-null variable not given", `query($s: String!) { echo(s: $s) }`, `{}`, refused},
		{"a non-null variable given null", `query($s: String!) { echo(s: $s) }`, `{"s": null}`, refused},
		{"an enum variable is its value", `query($c: Color) { echo(color: $c) }`, `{"c": "RED"}`, map[string]any{"color": "r", "sd": dflt}},
		{"an unknown enum name", `query($c: Color) { echo(color: $c) }`, `{"c": "BLUE"}`, refused},
		{"a custom scalar parses its variable", `query($u: Upper) { echo(up: $u) }`, `{"u": "abc"}`, map[string]any{"up": "ABC", "sd": dflt}},
		{"a custom scalar refuses a value by parsing it to null", `query($u: Upper) { echo(up: $u) }`, `{"u": 5}`, refused},
		{"an input object variable: missing fields get defaults", `query($f: Filter) { echo(f: $f) }`, `{"f": {"name": "a", "tags": "t"}}`,
			map[string]any{"f": map[string]any{"name": "a", "limit": 10, "tags": []any{"t"}}, "sd": dflt}},
		{"input object fields given null get their defaults", `query($f: Filter) { echo(f: $f) }`, `{"f": {"name": null, "limit": null}}`,
			map[string]any{"f": map[string]any{"limit": 10}, "sd": dflt}},
		{"an input object with an unknown field", `query($f: Filter) { echo(f: $f) }`, `{"f": {"name": "a", "bogus": 1}}`, refused},
		{"an input object that is not an object", `query($f: Filter) { echo(f: $f) }`, `{"f": "a"}`, refused},
		{"an input object missing a non-null field", `query($x: Strict) { echo(strict: $x) }`, `{"x": {"d": 1}}`, refused},
		{"an input object with its non-null field", `query($x: Strict) { echo(strict: $x) }`, `{"x": {"must": "m"}}`,
			map[string]any{"strict": map[string]any{"must": "m", "d": 3}, "sd": dflt}},
		{"a list of input objects", `query($fs: [Filter]) { echo(fs: $fs) }`, `{"fs": [{"name": "a"}, null]}`,
			map[string]any{"fs": []any{map[string]any{"name": "a", "limit": 10}, nil}, "sd": dflt}},

		// graphql-go v0.8.1's parser has no null literal: null is only ever a
		// variable's value, or an absent one.
		{"a null literal does not parse", `{ echo(s: null) }`, ``, invalid},

		// Variables inside literals.
		{"an absent variable in a list literal is a null item", `query($i: Int) { echo(list: [1, $i]) }`, `{}`,
			map[string]any{"list": []any{1, nil}, "sd": dflt}},
		{"a variable in a list literal", `query($i: Int) { echo(list: [1, $i]) }`, `{"i": 2}`,
			map[string]any{"list": []any{1, 2}, "sd": dflt}},
		{"an absent variable as an object field leaves it out, without its default", `query($i: Int) { echo(f: {limit: $i}) }`, `{}`,
			map[string]any{"f": map[string]any{}, "sd": dflt}},
		{"a variable as an object field", `query($i: Int) { echo(f: {limit: $i}) }`, `{"i": 5}`,
			map[string]any{"f": map[string]any{"limit": 5}, "sd": dflt}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var vars map[string]any
			if tt.vars != "" {
				if err := json.Unmarshal([]byte(tt.vars), &vars); err != nil {
					t.Fatal(err)
				}
			}
			var resolved map[string]any
			schema := coercionSchema(t, &resolved)

			// graphql-go's executor.
			res := graphql.Do(graphql.Params{Schema: schema, RequestString: tt.query, VariableValues: vars})
			if tt.want == invalid {
				if len(res.Errors) == 0 || resolved != nil {
					t.Errorf("graphql-go accepted the query: args %v", resolved)
				}
				return
			}
			if tt.want == refused {
				if len(res.Errors) == 0 || resolved != nil {
					t.Errorf("graphql-go accepted the variables: %v, args %v", res.Errors, resolved)
				}
			} else if len(res.Errors) > 0 {
				t.Errorf("graphql-go: %v", res.Errors)
			} else if !reflect.DeepEqual(resolved, tt.want) {
				t.Errorf("graphql-go's resolver got %#v, want %#v", resolved, tt.want)
			}

			// Ours.
			doc, err := parser.Parse(parser.ParseParams{Source: tt.query})
			if err != nil {
				t.Fatal(err)
			}
			op := doc.Definitions[0].(*ast.OperationDefinition)
			coerced, ok := variableValues(&schema, op.VariableDefinitions, vars)
			if tt.want == refused {
				if ok {
					t.Errorf("variableValues accepted them: %#v", coerced)
				}
				return
			}
			if !ok {
				t.Fatal("variableValues refused them")
			}
			field := op.SelectionSet.Selections[0].(*ast.Field)
			got := argumentValues(schema.QueryType().Fields()["echo"].Args, field.Arguments, coerced)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("argumentValues = %#v, want %#v", got, tt.want)
			}
		})
	}
}

// TestTreatedAsNull: the values that stand for null.
func TestTreatedAsNull(t *testing.T) {
	var nilString *string
	s := "x"
	tests := []struct {
		v    any
		want bool
	}{
		{nil, true},
		{nilString, true},
		{&s, false},
		{float64(0), false},
		{nan(), true},
		{float32(nan()), true},
		{"", false},
		{false, false},
		{[]any{}, false},
		{map[string]any{}, false},
	}
	for _, tt := range tests {
		if got := treatedAsNull(tt.v); got != tt.want {
			t.Errorf("treatedAsNull(%#v) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}
