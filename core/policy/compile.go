package policy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gdbos/gdbos/core/apierr"
)

const modulePath = "/spec/module"

// ruleFor names the rule each purpose must define.
var ruleFor = map[string]string{PurposeRows: "allow", PurposeGuard: "deny"}

// forbiddenBuiltins have side effects or make a decision depend on something other
// than the input; a name ending in "." forbids the whole namespace.
var forbiddenBuiltins = []string{"http.send", "net.", "opa.runtime", "rand."}

// problem is one thing wrong with a policy, at a location when known.
type problem struct {
	path, code, message string
	row, col            int
	opa                 bool
}

func (p problem) fieldError() apierr.FieldError {
	msg := p.message
	if p.code != "" {
		msg = p.code + ": " + msg
	}
	if p.row > 0 {
		msg = fmt.Sprintf("line %d, column %d: %s", p.row, p.col, msg)
	}
	return apierr.FieldError{Path: p.path, Message: msg}
}

// Compile checks that p is a policy the engine can load: Rego v1 that parses and
// compiles alone, defines the rule its purpose needs, imports only input, data,
// future.keywords or rego.v1, and calls no builtin with side effects. It returns an
// *apierr.Error listing every problem.
func Compile(p Policy) error {
	_, _, probs := compileModule(p)
	if err := problemsError(p, probs); err != nil {
		return err
	}
	// Preparing the queries the engine will run catches what compiling the module
	// alone does not (a rule whose value cannot be compared with true): a policy
	// that Compile accepts must load.
	if _, err := prepare(p); err != nil {
		return problemsError(p, append(probs, opaProblems(err)...))
	}
	return nil
}

func compileModule(p Policy) (*ast.Module, *ast.Compiler, []problem) {
	probs := checkFields(p)
	mod, err := ast.ParseModuleWithOpts(fileName(p), p.Module, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return nil, nil, append(probs, opaProblems(err)...)
	}
	probs = append(probs, checkImports(mod)...)
	probs = append(probs, checkRule(p, mod)...)
	probs = append(probs, checkBuiltins(mod)...)
	c := ast.NewCompiler()
	if c.Compile(map[string]*ast.Module{fileName(p): mod}); c.Failed() {
		probs = append(probs, opaProblems(c.Errors)...)
	}
	return mod, c, probs
}

func fileName(p Policy) string { return p.Tenant + "/" + p.Name + ".rego" }

func checkFields(p Policy) []problem {
	var probs []problem
	if _, ok := ruleFor[p.Purpose]; !ok {
		probs = append(probs, problem{path: "/spec/purpose", message: fmt.Sprintf("purpose must be %q or %q, not %q", PurposeRows, PurposeGuard, p.Purpose)})
	}
	if p.Target == "" {
		probs = append(probs, problem{path: "/spec/target", message: "target is required"})
	}
	if p.Purpose == PurposeRows && p.Target == AnyTarget {
		probs = append(probs, problem{path: "/spec/target", message: `a rows policy needs a named target, not "*"`})
	}
	return probs
}

func opaProblems(err error) []problem {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return []problem{{path: modulePath, message: err.Error()}}
	}
	probs := make([]problem, 0, len(errs))
	for _, e := range errs {
		pr := problem{path: modulePath, code: e.Code, message: e.Message, opa: true}
		if e.Location != nil {
			pr.row, pr.col = e.Location.Row, e.Location.Col
		}
		probs = append(probs, pr)
	}
	return probs
}

func at(loc *ast.Location, msg string) problem {
	pr := problem{path: modulePath, message: msg}
	if loc != nil {
		pr.row, pr.col = loc.Row, loc.Col
	}
	return pr
}

func checkImports(mod *ast.Module) []problem {
	var probs []problem
	for _, imp := range mod.Imports {
		ref, ok := imp.Path.Value.(ast.Ref)
		if ok && allowedImport(ref) {
			continue
		}
		probs = append(probs, at(imp.Location, fmt.Sprintf("import %v is not allowed: a policy may import only input, data, future.keywords and rego.v1", imp.Path)))
	}
	return probs
}

func allowedImport(ref ast.Ref) bool {
	head := ref[0].Value.String()
	switch head {
	case "input", "data", "future":
		return true
	case "rego":
		return ref.String() == "rego.v1"
	}
	return false
}

func checkRule(p Policy, mod *ast.Module) []problem {
	want, ok := ruleFor[p.Purpose]
	if !ok {
		return nil
	}
	for _, r := range mod.Rules {
		if r.Head.Name.String() != want && r.Head.Ref().String() != want {
			continue
		}
		if p.Purpose == PurposeGuard && r.Head.RuleKind() != ast.MultiValue {
			return []problem{at(r.Location, "deny must be a set of reasons: write deny contains msg if { … }")}
		}
		return nil
	}
	if p.Purpose == PurposeGuard {
		return []problem{at(nil, "a guard policy must define the rule deny: deny contains msg if { … }")}
	}
	return []problem{at(nil, "a rows policy must define the rule allow: allow if { … }")}
}

func checkBuiltins(mod *ast.Module) []problem {
	var probs []problem
	ast.WalkTerms(mod, func(t *ast.Term) bool {
		if ref, ok := t.Value.(ast.Ref); ok && forbidden(ref.String()) {
			probs = append(probs, at(t.Location, fmt.Sprintf("builtin %v is not allowed: a policy must not have side effects or depend on anything but its input", ref)))
		}
		return false
	})
	return probs
}

func forbidden(name string) bool {
	for _, f := range forbiddenBuiltins {
		if name == f || strings.HasSuffix(f, ".") && strings.HasPrefix(name, f) {
			return true
		}
	}
	return false
}

func problemsError(p Policy, probs []problem) error {
	if len(probs) == 0 {
		return nil
	}
	e := &apierr.Error{Code: apierr.ValidationFailed, Message: fmt.Sprintf("policy %s/%s is invalid", p.Tenant, p.Name)}
	var opa []map[string]any
	for _, pr := range probs {
		e.Fields = append(e.Fields, pr.fieldError())
		if pr.opa {
			opa = append(opa, map[string]any{"code": pr.code, "row": pr.row, "col": pr.col, "message": pr.message})
		}
	}
	if opa != nil {
		e.Details = map[string]any{"opaErrors": opa}
	}
	return e
}
