// Package sdk is what a vendor imports to write a GDBOS plugin: a separate binary
// that the kernel runs out of process over go-plugin gRPC. A plugin is one
// sdk.Serve(sdk.Plugin{…}) call in main; only the capabilities that are set are
// offered to the kernel. The package stays importable without the kernel's
// dependencies, and its types are plain Go: the protocol stays inside.
package sdk

import (
	"context"
	"encoding/json"
	"time"
)

// Plugin is everything a plugin offers. Leave a capability nil and the kernel never
// sees it.
type Plugin struct {
	// Manifest names the plugin and lists the permissions it asks for.
	Manifest Manifest
	// GraphQL adds types and fields to the schema of the tenants that grant it.
	GraphQL *GraphQLExtension
	// Events handle kernel and module events, by topic prefix ("resource.",
	// "tenant.created").
	Events map[string]EventHandler
	// Actions are workflow steps an approval flow can call, by name.
	Actions map[string]Action
	// QualityRules check one record of a data resource, by rule name.
	QualityRules map[string]QualityRule
	// DataSources answer queries for rows from outside the kernel, by name.
	DataSources map[string]DataSource
	// Setup runs once the kernel has started the plugin, before the first call:
	// open files in env.DataDir here.
	Setup func(ctx context.Context, env Env) error
	// MaxProcs is how many threads run the plugin's Go code at once (GOMAXPROCS);
	// 0 means 1. With one, a call passes between gRPC's goroutines without waking
	// another thread, which took about a quarter off a call's round trip (ADR 28);
	// set more for handlers that compute rather than wait. A GOMAXPROCS environment
	// variable, set where the kernel runs, wins over both.
	MaxProcs int
}

// Manifest names a plugin. ID is lowercase words joined by dashes ("credit-check");
// the plugin's GraphQL fields live under its namespace, the ID in lowerCamelCase
// ("creditCheck").
type Manifest struct {
	ID          string
	Version     string
	Name        string
	Description string
	// Permissions are what the plugin asks to do when it calls the kernel back; a
	// tenant's grant may give fewer.
	Permissions []Permission
}

// Permission is one (area, actions) pair, like a kernel Role rule: On is a
// resource kind or an API area ("tenants", "Enterprise"), actions are read, write,
// delete.
type Permission struct {
	On          string
	Actions     []string
	Description string
}

// GraphQLExtension is a plugin's part of the schema. SDL declares a type named after
// the namespace plus "Query" (CreditCheckQuery for credit-check) and any other types,
// each named with the namespace as prefix (CreditCheckStatus). Resolvers answer the
// fields of the Query type, by field name; the value they return is encoded as JSON
// and must fit the field's type.
type GraphQLExtension struct {
	SDL       string
	Resolvers map[string]Resolver
}

// Resolver answers one field. The kernel asks for the fields one query selects in one
// call and the SDK runs their resolvers at the same time, so a resolver must be safe
// to run concurrently with itself and the others (as with concurrent queries). ctx
// ends at the call's deadline or when the kernel gives up on the call.
type Resolver func(ctx context.Context, req FieldRequest) (any, error)

// Call says on whose behalf the kernel calls, and lets a handler call back.
type Call struct {
	// Tenant is the tenant whose grant the call runs under.
	Tenant string
	// User is the signed-in user who caused the call, empty for events.
	User string
	// Kernel runs GraphQL at Tenant as the plugin's own service identity, limited
	// to what the tenant granted.
	Kernel Kernel
}

// FieldRequest is a GraphQL field to resolve.
type FieldRequest struct {
	Call
	Field string
	Args  map[string]any
}

// EventHandler handles one event.
type EventHandler func(ctx context.Context, e Event) error

// Event is a kernel or module event, as the event bus carries it.
type Event struct {
	Call
	ID      int64
	Topic   string
	Payload json.RawMessage
	Time    time.Time
}

// Action runs one workflow step on a case.
type Action func(ctx context.Context, req ActionRequest) (Outcome, error)

// ActionRequest is a case handed to a workflow action.
type ActionRequest struct {
	Call
	Action string
	Case   map[string]any
}

// Outcome is what an action decided: Outcome names the branch the flow takes
// ("pass", "reject", …), Message says why, Data is kept with the case.
type Outcome struct {
	Outcome string
	Message string
	Data    map[string]any
}

// QualityRule checks one record and returns what is wrong with it, each issue at a
// JSON pointer into the record.
type QualityRule func(ctx context.Context, req RecordRequest) ([]Issue, error)

// RecordRequest is a record to check.
type RecordRequest struct {
	Call
	Rule   string
	Record map[string]any
}

// Issue is one problem a quality rule found.
type Issue struct {
	Path    string
	Message string
}

// DataSource returns rows for a query.
type DataSource func(ctx context.Context, req SourceRequest) ([]map[string]any, error)

// SourceRequest is a query for a data source.
type SourceRequest struct {
	Call
	Source string
	Query  map[string]any
}

// Env is what the kernel gives a plugin when it starts it.
type Env struct {
	// DataDir is the plugin's own directory, kept across restarts and upgrades.
	DataDir string
}

// Kernel calls back into the kernel.
type Kernel interface {
	// Query runs a GraphQL query on the tenant's data API and returns its data.
	Query(ctx context.Context, query string, variables map[string]any) (map[string]any, error)
}
