// Package policy holds attribute policies: Rego v1 modules, defined at a tenant as
// Policy resources and evaluated by OPA, that filter rows and guard mutations.
//
// A rows policy (rule allow) decides which rows of a target a subject may see. For
// lists it is compiled to a SQL WHERE fragment applied inside the query; for single
// reads and writes it is evaluated on the row. A guard policy (rule deny, a set of
// reasons) refuses mutations. Policies defined at a tenant apply to requests scoped at
// that tenant and its descendants: every applicable rows policy must allow, and any
// guard may refuse, so a descendant can add restrictions but never weaken its parents'.
//
// Row filters are translated from OPA's partial evaluation by this package rather
// than by OPA's rego/compile: that package writes values into the SQL text as
// literals (numbers quoted as strings), while GDBOS binds every value as an argument.
// The translation accepts a small, exact subset (see RowFilter) and refuses the rest.
package policy
