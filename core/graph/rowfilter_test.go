package graph

import "testing"

// TestPolicyScope: a rows policy's subtree test is left out only where it cannot
// change the result, given the subtrees the rows are already limited to.
func TestPolicyScope(t *testing.T) {
	const root, city, county, other = "/230000/", "/230000/230100/", "/230000/230100/230102/", "/230000/230200/"
	tests := []struct {
		name            string
		path            string
		scope           []string
		cover, disjoint bool
	}{
		{"unlimited rows need the test", root, nil, false, false},
		{"a policy at the root covers a root reader", root, []string{root}, true, false},
		{"and a city reader", root, []string{city}, true, false},
		{"a policy at the city covers its county's reader", city, []string{county}, true, false},
		{"but not a root reader, who sees rows outside it", city, []string{root}, false, false},
		{"nor one who also reads another city", city, []string{city, other}, false, false},
		{"a policy in another city meets no row of the reader", other, []string{city}, false, true},
		{"a path prefix of a sibling's code is not its subtree", "/230000/23010/", []string{city}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := covers(tt.path, tt.scope); got != tt.cover {
				t.Errorf("covers(%q, %q) = %v", tt.path, tt.scope, got)
			}
			if got := disjoint(tt.path, tt.scope); got != tt.disjoint {
				t.Errorf("disjoint(%q, %q) = %v", tt.path, tt.scope, got)
			}
		})
	}
}
