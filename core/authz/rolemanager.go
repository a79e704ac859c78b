package authz

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/casbin/casbin/v2/log"
	"github.com/casbin/casbin/v2/rbac"
)

// maxHierarchy bounds role-to-role inheritance, as casbin's default role manager does.
const maxHierarchy = 10

// lineageRoles is casbin's role manager for the "g" grouping: a link made in a
// tenant holds in that tenant and all its descendants. It stands in for casbin's
// DomainManager with a domain matching function, which re-runs the function over
// every known domain for each added link (about 20 s for 100,000 bindings over 1,000
// tenants); here HasLink walks the request tenant's lineage with map lookups, so
// adding a link costs one map insert. Name patterns (AddMatchingFunc) are not
// supported: names are compared for equality.
type lineageRoles struct {
	tree   Tree
	mu     sync.RWMutex
	links  map[string]map[string][]string // name → link domain → roles
	logger log.Logger
}

func newLineageRoles(tree Tree) *lineageRoles {
	return &lineageRoles{tree: tree, links: map[string]map[string][]string{}, logger: &log.DefaultLogger{}}
}

var errDomains = errors.New("authz: role manager: exactly one domain (a tenant code) is expected")

func oneDomain(domain []string) (string, error) {
	if len(domain) != 1 {
		return "", errDomains
	}
	return domain[0], nil
}

// lineage returns the tenants whose links hold in domain: domain and its ancestors,
// or domain alone when the tree does not know it.
func (rm *lineageRoles) lineage(domain string) []string {
	if l, ok := rm.tree.LineageCodes(domain); ok {
		return l
	}
	return []string{domain}
}

// Clear removes every link.
func (rm *lineageRoles) Clear() error {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	rm.links = map[string]map[string][]string{}
	return nil
}

// AddLink makes name1 hold role name2 in domain and its descendants.
func (rm *lineageRoles) AddLink(name1, name2 string, domain ...string) error {
	d, err := oneDomain(domain)
	if err != nil {
		return err
	}
	rm.mu.Lock()
	defer rm.mu.Unlock()
	byDomain := rm.links[name1]
	if byDomain == nil {
		byDomain = map[string][]string{}
		rm.links[name1] = byDomain
	}
	if !slices.Contains(byDomain[d], name2) {
		byDomain[d] = append(byDomain[d], name2)
	}
	return nil
}

// BuildRelationship is deprecated in casbin and does nothing.
func (rm *lineageRoles) BuildRelationship(string, string, ...string) error { return nil }

// DeleteLink removes the link made by AddLink.
func (rm *lineageRoles) DeleteLink(name1, name2 string, domain ...string) error {
	d, err := oneDomain(domain)
	if err != nil {
		return err
	}
	rm.mu.Lock()
	defer rm.mu.Unlock()
	byDomain := rm.links[name1]
	i := slices.Index(byDomain[d], name2)
	if i < 0 {
		return fmt.Errorf("authz: role manager: no link %s → %s at %s", name1, name2, d)
	}
	byDomain[d] = slices.Delete(byDomain[d], i, i+1)
	if len(byDomain[d]) == 0 {
		delete(byDomain, d)
	}
	if len(byDomain) == 0 {
		delete(rm.links, name1)
	}
	return nil
}

// HasLink reports whether name1 holds name2 in domain, directly or through roles,
// by a link made at domain or one of its ancestors.
func (rm *lineageRoles) HasLink(name1, name2 string, domain ...string) (bool, error) {
	if name1 == name2 {
		return true, nil
	}
	d, err := oneDomain(domain)
	if err != nil {
		return false, err
	}
	lineage := rm.lineage(d)
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	frontier, seen := []string{name1}, map[string]bool{name1: true}
	for range maxHierarchy {
		var next []string
		for _, name := range frontier {
			for _, t := range lineage {
				for _, role := range rm.links[name][t] {
					if role == name2 {
						return true, nil
					}
					if _, inherits := rm.links[role]; inherits && !seen[role] {
						seen[role] = true
						next = append(next, role)
					}
				}
			}
		}
		if len(next) == 0 {
			return false, nil
		}
		frontier = next
	}
	return false, nil
}

// GetRoles returns the roles name holds directly in domain, sorted.
func (rm *lineageRoles) GetRoles(name string, domain ...string) ([]string, error) {
	d, err := oneDomain(domain)
	if err != nil {
		return nil, err
	}
	lineage := rm.lineage(d)
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	return rm.rolesIn(name, lineage), nil
}

func (rm *lineageRoles) rolesIn(name string, lineage []string) []string {
	var out []string
	for _, t := range lineage {
		out = append(out, rm.links[name][t]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// GetUsers returns the names that hold role name directly in domain, sorted. It
// scans every link; the authorizer never asks it on a hot path.
func (rm *lineageRoles) GetUsers(name string, domain ...string) ([]string, error) {
	d, err := oneDomain(domain)
	if err != nil {
		return nil, err
	}
	lineage := rm.lineage(d)
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	var out []string
	for user := range rm.links {
		if slices.Contains(rm.rolesIn(user, lineage), name) {
			out = append(out, user)
		}
	}
	sort.Strings(out)
	return out, nil
}

// GetImplicitRoles returns the roles name holds in domain directly or through
// other roles, sorted.
func (rm *lineageRoles) GetImplicitRoles(name string, domain ...string) ([]string, error) {
	return rm.closure(name, domain, rm.GetRoles)
}

// GetImplicitUsers returns the names that hold role name in domain directly or
// through other roles, sorted.
func (rm *lineageRoles) GetImplicitUsers(name string, domain ...string) ([]string, error) {
	return rm.closure(name, domain, rm.GetUsers)
}

func (rm *lineageRoles) closure(name string, domain []string, step func(string, ...string) ([]string, error)) ([]string, error) {
	seen := map[string]bool{name: true}
	frontier := []string{name}
	var out []string
	for level := 0; level < maxHierarchy && len(frontier) > 0; level++ {
		var next []string
		for _, n := range frontier {
			found, err := step(n, domain...)
			if err != nil {
				return nil, err
			}
			for _, f := range found {
				if !seen[f] {
					seen[f] = true
					next = append(next, f)
					out = append(out, f)
				}
			}
		}
		frontier = next
	}
	sort.Strings(out)
	return out, nil
}

// GetDomains returns the tenants at which name has links, sorted.
func (rm *lineageRoles) GetDomains(name string) ([]string, error) {
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	out := make([]string, 0, len(rm.links[name]))
	for d := range rm.links[name] {
		out = append(out, d)
	}
	sort.Strings(out)
	return out, nil
}

// GetAllDomains returns every tenant at which a link exists, sorted.
func (rm *lineageRoles) GetAllDomains() ([]string, error) {
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	set := map[string]bool{}
	for _, byDomain := range rm.links {
		for d := range byDomain {
			set[d] = true
		}
	}
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	sort.Strings(out)
	return out, nil
}

// PrintRoles logs every link.
func (rm *lineageRoles) PrintRoles() error {
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	var lines []string
	for name, byDomain := range rm.links {
		for d, roles := range byDomain {
			for _, r := range roles {
				lines = append(lines, fmt.Sprintf("%s < %s @ %s", name, r, d))
			}
		}
	}
	sort.Strings(lines)
	rm.logger.LogRole(lines)
	return nil
}

// SetLogger sets the logger PrintRoles writes to.
func (rm *lineageRoles) SetLogger(logger log.Logger) { rm.logger = logger }

// Match compares names for equality: name patterns are not supported.
func (rm *lineageRoles) Match(str, pattern string) bool { return str == pattern }

// AddMatchingFunc is ignored: name patterns are not supported.
func (rm *lineageRoles) AddMatchingFunc(string, rbac.MatchingFunc) {}

// AddDomainMatchingFunc is ignored: the tenant tree is the domain matcher.
func (rm *lineageRoles) AddDomainMatchingFunc(string, rbac.MatchingFunc) {}

// DeleteDomain removes every link made at domain.
func (rm *lineageRoles) DeleteDomain(domain string) error {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	for name, byDomain := range rm.links {
		delete(byDomain, domain)
		if len(byDomain) == 0 {
			delete(rm.links, name)
		}
	}
	return nil
}

var _ rbac.RoleManager = (*lineageRoles)(nil)
