package policy

// Purposes a Policy can have.
const (
	// PurposeRows marks a row filter: rule allow decides which rows a subject may see
	// and change.
	PurposeRows = "rows"
	// PurposeGuard marks a guard: rule deny, a set of reason strings, refuses mutations.
	PurposeGuard = "guard"
)

// AnyTarget is the Target of a guard that governs every kind.
const AnyTarget = "*"

// Policy is one Rego module from a Policy resource defined at a tenant.
type Policy struct {
	// Tenant is the code of the tenant that defines the policy.
	Tenant string `json:"tenant"`
	// Name is the Policy resource's name, unique within its tenant.
	Name string `json:"name"`
	// Purpose is PurposeRows or PurposeGuard.
	Purpose string `json:"purpose"`
	// Target is what the policy governs: a row target ("User") or a kind name; "*"
	// for guards on every kind.
	Target string `json:"target"`
	// Module is the Rego v1 source.
	Module string `json:"module"`
}

// Subject is who asks, as policies see it in input.subject.
type Subject struct {
	User       string `json:"user"`
	Superadmin bool   `json:"superadmin"`
	// Tenants lists the tenant codes whose subtrees the subject may read the target in.
	Tenants    []string       `json:"tenants"`
	Attributes map[string]any `json:"attributes"`
}

// GuardInput is a mutation a guard decides on.
type GuardInput struct {
	Subject Subject
	// Action is "write", "delete", …
	Action string
	// Kind is the resource kind being changed.
	Kind string
	// Tenant is the code of the tenant the resource belongs to.
	Tenant string
	// Object is the resource as JSON (apiVersion, kind, metadata, spec).
	Object map[string]any
}

// Table says how the rows of a target are stored, so a row filter can be written in
// SQL. Columns are fixed by the caller, never derived from a request.
type Table struct {
	// Dialect is "sqlite" or "postgres".
	Dialect string
	// Columns maps a logical row field (input.row.<field>) to its SQL column
	// expression, for example "tenant" → "u.tenant".
	Columns map[string]string
	// NotNull names the row fields whose columns never hold NULL. A boolean one
	// standing alone is then written "col = TRUE" or "col = FALSE", which both
	// engines answer from an index, rather than "col IS [NOT] TRUE", which they
	// test row by row.
	NotNull map[string]bool
	// ArgOffset is the number of bind arguments that precede the filter's in the
	// statement: PostgreSQL placeholders start at $ArgOffset+1.
	ArgOffset int
}

// Filter is a SQL WHERE fragment with its bind arguments.
type Filter struct {
	// SQL is the condition; "1 = 1" when Always, "1 = 0" when Never.
	SQL string
	// Args are the values for SQL's placeholders, in order.
	Args []any
	// Always is set when no condition applies: every row is allowed.
	Always bool
	// Never is set when no row can be allowed.
	Never bool
}
