package policy

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// Engine holds the loaded policies, prepared for evaluation. It is safe for concurrent
// use; Load swaps the whole set at once. The zero Engine has no policies.
type Engine struct {
	mu  sync.Mutex // serialises Load
	set atomic.Pointer[policySet]
}

// policySet is one loaded generation, never changed after Load.
type policySet struct {
	generation uint64
	policies   []Policy
	// rows and guards are indexed by target, then by defining tenant.
	rows   map[string]map[string][]*prepared
	guards map[string]map[string][]*prepared
	cache  filterCache
}

// prepared is one policy, compiled and prepared once per Load.
type prepared struct {
	Policy
	eval    rego.PreparedEvalQuery
	partial *rego.PreparedPartialQuery
}

// NewEngine returns an engine with no policies: every row is allowed and no guard
// refuses.
func NewEngine() *Engine { return &Engine{} }

var emptySet = &policySet{}

func (e *Engine) current() *policySet {
	if s := e.set.Load(); s != nil {
		return s
	}
	return emptySet
}

// Load compiles and prepares ps and makes them the engine's policies. On any error
// the policies loaded before stay in force.
func (e *Engine) Load(ps []Policy) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	next := &policySet{
		generation: e.current().generation + 1,
		policies:   append([]Policy(nil), ps...),
		rows:       map[string]map[string][]*prepared{},
		guards:     map[string]map[string][]*prepared{},
	}
	var errs []error
	for _, p := range ps {
		pp, err := prepare(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("policy: load %s/%s: %w", p.Tenant, p.Name, err))
			continue
		}
		next.add(pp)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	e.set.Store(next)
	return nil
}

// Generation identifies the loaded policy set; it changes on each successful Load.
func (e *Engine) Generation() uint64 { return e.current().generation }

// Policies returns the loaded policies.
func (e *Engine) Policies() []Policy {
	return append([]Policy(nil), e.current().policies...)
}

func (s *policySet) add(p *prepared) {
	idx := s.rows
	if p.Purpose == PurposeGuard {
		idx = s.guards
	}
	if idx[p.Target] == nil {
		idx[p.Target] = map[string][]*prepared{}
	}
	idx[p.Target][p.Tenant] = append(idx[p.Target][p.Tenant], p)
}

// applicable returns the policies for target defined at the tenants of lineage.
func applicable(idx map[string]map[string][]*prepared, target string, lineage []string) []*prepared {
	byTenant := idx[target]
	if len(byTenant) == 0 {
		return nil
	}
	var out []*prepared
	for _, t := range lineage {
		out = append(out, byTenant[t]...)
	}
	return out
}

func prepare(p Policy) (*prepared, error) {
	mod, c, probs := compileModule(p)
	if err := problemsError(p, probs); err != nil {
		return nil, err
	}
	ctx := context.Background()
	rule := mod.Package.Path.Append(ast.StringTerm(ruleFor[p.Purpose]))
	pp := &prepared{Policy: p}
	var err error
	pp.eval, err = rego.New(rego.Compiler(c), rego.ParsedQuery(ast.NewBody(ast.NewExpr(ast.NewTerm(rule))))).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("policy: prepare: %w", err)
	}
	if p.Purpose == PurposeRows {
		if pp.partial, err = preparePartial(ctx, p, mod, rule); err != nil {
			return nil, err
		}
	}
	return pp, nil
}

// preparePartial prepares "allow == true" with input.row unknown. A default allow of
// false never satisfies that query, so it is dropped: partial evaluation would
// otherwise keep it as a support rule that SQL cannot express.
func preparePartial(ctx context.Context, p Policy, mod *ast.Module, rule ast.Ref) (*rego.PreparedPartialQuery, error) {
	m := mod.Copy()
	rules := m.Rules[:0]
	for _, r := range m.Rules {
		if r.Default && r.Head.Ref().String() == "allow" && ast.Boolean(false).Equal(r.Head.Value.Value) {
			continue
		}
		rules = append(rules, r)
	}
	m.Rules = rules
	c := ast.NewCompiler()
	if c.Compile(map[string]*ast.Module{fileName(p): m}); c.Failed() {
		return nil, fmt.Errorf("policy: prepare partial: %w", c.Errors)
	}
	q := ast.NewBody(ast.Equal.Expr(ast.NewTerm(rule), ast.BooleanTerm(true)))
	pq, err := rego.New(rego.Compiler(c), rego.ParsedQuery(q), rego.Unknowns([]string{"input.row"})).PrepareForPartial(ctx)
	if err != nil {
		return nil, fmt.Errorf("policy: prepare partial: %w", err)
	}
	return &pq, nil
}
