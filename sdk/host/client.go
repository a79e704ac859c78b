// Package host is the kernel's side of the plugin protocol: it starts a plugin binary
// with go-plugin (gRPC only, pinned SHA-256, AutoMTLS), negotiates the protocol
// version and makes typed calls with plain Go types. It lives in the sdk module
// because the protocol's generated code is internal to it; the kernel's core/plugin
// builds the catalog, grants and lifecycle on top.
package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gdbos/gdbos/sdk/internal/proto"
)

// The ways a call can fail that are the plugin's fault, not the caller's.
var (
	// ErrUnavailable: the plugin is not running, crashed or closed the connection.
	ErrUnavailable = errors.New("plugin unavailable")
	// ErrTimeout: the plugin did not answer within the call's deadline.
	ErrTimeout = errors.New("plugin timed out")
	// ErrBadResponse: the plugin answered something that does not fit the protocol.
	ErrBadResponse = errors.New("plugin answered badly")
)

// Failure is an error a plugin's handler returned on purpose.
type Failure struct {
	Code    string
	Message string
}

func (f *Failure) Error() string { return f.Message }

// Manifest is what a plugin says about itself.
type Manifest struct {
	ID, Version, Name, Description string
	// SDKVersion is the version of the SDK the plugin was built with.
	SDKVersion  string
	Permissions []Permission
	// GraphQL is nil when the plugin adds no fields.
	GraphQL      *GraphQL
	Events       []string
	Actions      []Named
	QualityRules []Named
	DataSources  []Named
}

// Capabilities lists what the plugin offers: graphql, events, actions,
// qualityRules, dataSources.
func (m Manifest) Capabilities() []string {
	var out []string
	if m.GraphQL != nil {
		out = append(out, "graphql")
	}
	if len(m.Events) > 0 {
		out = append(out, "events")
	}
	if len(m.Actions) > 0 {
		out = append(out, "actions")
	}
	if len(m.QualityRules) > 0 {
		out = append(out, "qualityRules")
	}
	if len(m.DataSources) > 0 {
		out = append(out, "dataSources")
	}
	return out
}

// Permission is one (area, actions) pair a plugin asks for.
type Permission struct {
	On          string
	Actions     []string
	Description string
}

// GraphQL is a plugin's schema part.
type GraphQL struct {
	SDL       string
	Resolvers []string
}

// Named is an action, quality rule or data source.
type Named struct{ Name, Description string }

// Call says on whose behalf the kernel calls.
type Call struct{ Tenant, User string }

// Event is a kernel event handed to a plugin.
type Event struct {
	ID      int64
	Topic   string
	Payload json.RawMessage
	Time    time.Time
}

// Outcome is what a workflow action decided.
type Outcome struct {
	Outcome string
	Message string
	Data    map[string]any
}

// Issue is one problem a quality rule found.
type Issue struct{ Path, Message string }

// Client makes typed calls to one plugin connection.
type Client struct {
	c proto.PluginClient
}

// NewClient returns a Client over a gRPC connection to a plugin; Start uses it, and
// so does the sdktest kit with its in-memory connection.
func NewClient(conn grpc.ClientConnInterface) *Client {
	return &Client{c: proto.NewPluginClient(conn)}
}

// classify turns a transport error into ErrTimeout, ErrUnavailable or
// ErrBadResponse, keeping the cause.
func classify(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w: %s: %w", ErrTimeout, op, err)
	}
	switch status.Code(err) {
	case codes.DeadlineExceeded:
		return fmt.Errorf("%w: %s: %w", ErrTimeout, op, err)
	case codes.ResourceExhausted, codes.Internal, codes.Unimplemented, codes.InvalidArgument:
		return fmt.Errorf("%w: %s: %w", ErrBadResponse, op, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
}

func failed(f *proto.Failure) error {
	if f == nil {
		return nil
	}
	return &Failure{Code: f.Code, Message: f.Message}
}

func toCall(c Call) *proto.Call { return &proto.Call{Tenant: c.Tenant, User: c.User} }

func encode(op string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("host: %s: encoding: %w", op, err)
	}
	return b, nil
}

// Manifest asks the plugin what it is.
func (c *Client) Manifest(ctx context.Context) (Manifest, error) {
	r, err := c.c.Manifest(ctx, &proto.ManifestRequest{})
	if err != nil {
		return Manifest{}, classify(ctx, "manifest", err)
	}
	m := Manifest{ID: r.Id, Version: r.Version, Name: r.Name, Description: r.Description, SDKVersion: r.SdkVersion, Events: r.Events}
	for _, p := range r.Permissions {
		m.Permissions = append(m.Permissions, Permission{On: p.On, Actions: p.Actions, Description: p.Description})
	}
	if r.Graphql != nil {
		m.GraphQL = &GraphQL{SDL: r.Graphql.Sdl, Resolvers: r.Graphql.Resolvers}
	}
	for _, n := range r.Actions {
		m.Actions = append(m.Actions, Named{n.Name, n.Description})
	}
	for _, n := range r.QualityRules {
		m.QualityRules = append(m.QualityRules, Named{n.Name, n.Description})
	}
	for _, n := range r.DataSources {
		m.DataSources = append(m.DataSources, Named{n.Name, n.Description})
	}
	return m, nil
}

// Configure hands the plugin its data directory and the broker ID of the kernel's
// callback service (0: none), and runs its Setup.
func (c *Client) Configure(ctx context.Context, dataDir string, kernelBrokerID uint32) error {
	_, err := c.c.Configure(ctx, &proto.ConfigureRequest{DataDir: dataDir, KernelBrokerId: kernelBrokerID})
	if status.Code(err) == codes.Unknown {
		return &Failure{Code: "PLUGIN_ERROR", Message: status.Convert(err).Message()}
	}
	return classify(ctx, "configure", err)
}

// Health asks whether the plugin is well.
func (c *Client) Health(ctx context.Context) error {
	r, err := c.c.Health(ctx, &proto.HealthRequest{})
	if err != nil {
		return classify(ctx, "health", err)
	}
	if !r.Ok {
		return fmt.Errorf("%w: health: %s", ErrUnavailable, r.Message)
	}
	return nil
}

// Resolve asks the plugin for a field's value, as JSON.
func (c *Client) Resolve(ctx context.Context, call Call, field string, args map[string]any) (json.RawMessage, error) {
	a, err := encode("resolve", args)
	if err != nil {
		return nil, err
	}
	r, err := c.c.Resolve(ctx, &proto.ResolveRequest{Call: toCall(call), Field: field, ArgsJson: a})
	if err != nil {
		return nil, classify(ctx, "resolve "+field, err)
	}
	if err := failed(r.Failure); err != nil {
		return nil, err
	}
	if !json.Valid(r.ResultJson) {
		return nil, fmt.Errorf("%w: resolve %s: the answer is not JSON", ErrBadResponse, field)
	}
	return r.ResultJson, nil
}

// HandleEvent hands the plugin an event.
func (c *Client) HandleEvent(ctx context.Context, call Call, e Event) error {
	r, err := c.c.HandleEvent(ctx, &proto.EventRequest{Call: toCall(call), Id: e.ID, Topic: e.Topic, PayloadJson: e.Payload, TimeUnixNano: e.Time.UnixNano()})
	if err != nil {
		return classify(ctx, "event "+e.Topic, err)
	}
	return failed(r.Failure)
}

// RunAction runs a workflow action on a case.
func (c *Client) RunAction(ctx context.Context, call Call, action string, caseData map[string]any) (Outcome, error) {
	b, err := encode("action", caseData)
	if err != nil {
		return Outcome{}, err
	}
	r, err := c.c.RunAction(ctx, &proto.ActionRequest{Call: toCall(call), Action: action, CaseJson: b})
	if err != nil {
		return Outcome{}, classify(ctx, "action "+action, err)
	}
	if err := failed(r.Failure); err != nil {
		return Outcome{}, err
	}
	out := Outcome{Outcome: r.Outcome, Message: r.Message}
	if len(r.DataJson) > 0 {
		if err := json.Unmarshal(r.DataJson, &out.Data); err != nil {
			return Outcome{}, fmt.Errorf("%w: action %s: data: %w", ErrBadResponse, action, err)
		}
	}
	if out.Outcome == "" {
		return Outcome{}, fmt.Errorf("%w: action %s: the outcome is empty", ErrBadResponse, action)
	}
	return out, nil
}

// CheckQuality runs a quality rule on a record.
func (c *Client) CheckQuality(ctx context.Context, call Call, rule string, record map[string]any) ([]Issue, error) {
	b, err := encode("quality", record)
	if err != nil {
		return nil, err
	}
	r, err := c.c.CheckQuality(ctx, &proto.QualityRequest{Call: toCall(call), Rule: rule, RecordJson: b})
	if err != nil {
		return nil, classify(ctx, "quality rule "+rule, err)
	}
	if err := failed(r.Failure); err != nil {
		return nil, err
	}
	out := make([]Issue, len(r.Issues))
	for i, is := range r.Issues {
		out[i] = Issue{Path: is.Path, Message: is.Message}
	}
	return out, nil
}

// ReadSource asks a data source for rows.
func (c *Client) ReadSource(ctx context.Context, call Call, source string, query map[string]any) ([]map[string]any, error) {
	b, err := encode("source", query)
	if err != nil {
		return nil, err
	}
	r, err := c.c.ReadSource(ctx, &proto.SourceRequest{Call: toCall(call), Source: source, QueryJson: b})
	if err != nil {
		return nil, classify(ctx, "data source "+source, err)
	}
	if err := failed(r.Failure); err != nil {
		return nil, err
	}
	var rows []map[string]any
	if err := json.Unmarshal(r.RowsJson, &rows); err != nil {
		return nil, fmt.Errorf("%w: data source %s: rows: %w", ErrBadResponse, source, err)
	}
	return rows, nil
}
