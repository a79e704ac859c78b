package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// Guard returns every reason the guards along lineage (root first) give to refuse the
// mutation, sorted and without repeats; none means the mutation may proceed. Guards
// whose target is in.Kind or "*" apply.
func (e *Engine) Guard(ctx context.Context, lineage []string, in GuardInput) ([]string, error) {
	set := e.current()
	ps := append(applicable(set.guards, in.Kind, lineage), applicable(set.guards, AnyTarget, lineage)...)
	if len(ps) == 0 {
		return nil, nil
	}
	input, err := guardInput(in)
	if err != nil {
		return nil, err
	}
	var reasons []string
	for _, p := range ps {
		rs, err := p.eval.Eval(ctx, rego.EvalParsedInput(input))
		if err != nil {
			return nil, fmt.Errorf("policy: evaluate guard %s/%s: %w", p.Tenant, p.Name, err)
		}
		reasons = append(reasons, denyReasons(rs)...)
	}
	slices.Sort(reasons)
	return slices.Compact(reasons), nil
}

func guardInput(in GuardInput) (ast.Value, error) {
	s, err := subjectTerm(in.Subject)
	if err != nil {
		return nil, err
	}
	obj, err := valueTerm(in.Object)
	if err != nil {
		return nil, err
	}
	return ast.NewObject(
		ast.Item(ast.InternedTerm("subject"), s),
		ast.Item(ast.InternedTerm("action"), ast.StringTerm(in.Action)),
		ast.Item(ast.InternedTerm("kind"), ast.StringTerm(in.Kind)),
		ast.Item(ast.InternedTerm("tenant"), ast.StringTerm(in.Tenant)),
		ast.Item(ast.InternedTerm("object"), obj),
	), nil
}

// denyReasons reads the deny set; a reason that is not a string is shown as JSON.
func denyReasons(rs rego.ResultSet) []string {
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil
	}
	set, _ := rs[0].Expressions[0].Value.([]any)
	out := make([]string, 0, len(set))
	for _, r := range set {
		if s, ok := r.(string); ok {
			out = append(out, s)
			continue
		}
		b, _ := json.Marshal(r)
		out = append(out, string(b))
	}
	return out
}
