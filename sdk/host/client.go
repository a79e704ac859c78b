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
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gdbos/gdbos/sdk/internal/proto"
	"github.com/gdbos/gdbos/sdk/internal/wire"
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
	// calls are the connection's call streams when the plugin speaks protocol
	// version 2; nil makes every call a unary gRPC call (version 1).
	calls *streams
}

// NewClient returns a Client over a gRPC connection to a plugin served by this SDK;
// the sdktest kit uses it with its in-memory connection.
func NewClient(conn grpc.ClientConnInterface) *Client { return newClient(conn, wire.ProtocolVersion) }

func newClient(conn grpc.ClientConnInterface, version int) *Client {
	pc := proto.NewPluginClient(conn)
	c := &Client{c: pc}
	if wire.Streams(version) {
		c.calls = &streams{open: func(ctx context.Context) (grpc.BidiStreamingClient[proto.CallRequest, proto.CallResponse], error) {
			return pc.Calls(ctx)
		}}
	}
	return c
}

// Close ends the client's idle call streams.
func (c *Client) Close() {
	if c.calls != nil {
		c.calls.close()
	}
}

// badAnswer is a call answered with the wrong kind of message.
func badAnswer(op string) error {
	return fmt.Errorf("%w: %s: the answer is of another call", ErrBadResponse, op)
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

// Field is one field of a plugin's namespace a query asks for.
type Field struct {
	Name string
	Args map[string]any
}

// Answer is a field's value, as JSON, or why there is none: a *Failure its resolver
// returned, or ErrBadResponse.
type Answer struct {
	Value json.RawMessage
	Err   error
}

// Resolve asks the plugin for a field's value, as JSON.
func (c *Client) Resolve(ctx context.Context, call Call, field string, args map[string]any) (json.RawMessage, error) {
	out, err := c.ResolveFields(ctx, call, []Field{{Name: field, Args: args}})
	if err != nil {
		return nil, err
	}
	return out[0].Value, out[0].Err
}

// ResolveFields asks the plugin for several fields in one call (with protocol
// version 1, one call each) and answers them in order. The error is the call's; each
// field's own is in its Answer.
func (c *Client) ResolveFields(ctx context.Context, call Call, fields []Field) ([]Answer, error) {
	op := func() string {
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = f.Name
		}
		return "resolve " + strings.Join(names, ", ")
	}
	pc := toCall(call)
	reqs := make([]*proto.ResolveRequest, len(fields))
	for i, f := range fields {
		a, err := encode("resolve", f.Args)
		if err != nil {
			return nil, err
		}
		reqs[i] = &proto.ResolveRequest{Call: pc, Field: f.Name, ArgsJson: a}
	}
	var rs []*proto.ResolveResponse
	if c.calls != nil {
		out, err := c.calls.call(ctx, &proto.CallRequest{Op: &proto.CallRequest_Resolve{Resolve: &proto.ResolveBatch{Fields: reqs}}})
		if err != nil {
			return nil, classify(ctx, op(), err)
		}
		b := out.GetResolve()
		if b == nil {
			return nil, badAnswer(op())
		}
		if rs = b.Fields; len(rs) != len(reqs) {
			return nil, fmt.Errorf("%w: %s: %d answers to %d fields", ErrBadResponse, op(), len(rs), len(reqs))
		}
	} else {
		rs = make([]*proto.ResolveResponse, len(reqs))
		for i, r := range reqs {
			var err error
			if rs[i], err = c.c.Resolve(ctx, r); err != nil {
				return nil, classify(ctx, "resolve "+r.Field, err)
			}
		}
	}
	answers := make([]Answer, len(rs))
	for i, r := range rs {
		switch {
		case r.Failure != nil:
			answers[i].Err = failed(r.Failure)
		case !json.Valid(r.ResultJson):
			answers[i].Err = fmt.Errorf("%w: resolve %s: the answer is not JSON", ErrBadResponse, fields[i].Name)
		default:
			answers[i].Value = r.ResultJson
		}
	}
	return answers, nil
}

// HandleEvent hands the plugin an event.
func (c *Client) HandleEvent(ctx context.Context, call Call, e Event) error {
	req := &proto.EventRequest{Call: toCall(call), Id: e.ID, Topic: e.Topic, PayloadJson: e.Payload, TimeUnixNano: e.Time.UnixNano()}
	var r *proto.EventResponse
	var err error
	if c.calls != nil {
		var out *proto.CallResponse
		if out, err = c.calls.call(ctx, &proto.CallRequest{Op: &proto.CallRequest_Event{Event: req}}); err == nil {
			if r = out.GetEvent(); r == nil {
				return badAnswer("event " + e.Topic)
			}
		}
	} else {
		r, err = c.c.HandleEvent(ctx, req)
	}
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
	req := &proto.ActionRequest{Call: toCall(call), Action: action, CaseJson: b}
	var r *proto.ActionResponse
	if c.calls != nil {
		var out *proto.CallResponse
		if out, err = c.calls.call(ctx, &proto.CallRequest{Op: &proto.CallRequest_Action{Action: req}}); err == nil {
			if r = out.GetAction(); r == nil {
				return Outcome{}, badAnswer("action " + action)
			}
		}
	} else {
		r, err = c.c.RunAction(ctx, req)
	}
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
	req := &proto.QualityRequest{Call: toCall(call), Rule: rule, RecordJson: b}
	var r *proto.QualityResponse
	if c.calls != nil {
		var out *proto.CallResponse
		if out, err = c.calls.call(ctx, &proto.CallRequest{Op: &proto.CallRequest_Quality{Quality: req}}); err == nil {
			if r = out.GetQuality(); r == nil {
				return nil, badAnswer("quality rule " + rule)
			}
		}
	} else {
		r, err = c.c.CheckQuality(ctx, req)
	}
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
	req := &proto.SourceRequest{Call: toCall(call), Source: source, QueryJson: b}
	var r *proto.SourceResponse
	if c.calls != nil {
		var out *proto.CallResponse
		if out, err = c.calls.call(ctx, &proto.CallRequest{Op: &proto.CallRequest_Source{Source: req}}); err == nil {
			if r = out.GetSource(); r == nil {
				return nil, badAnswer("data source " + source)
			}
		}
	} else {
		r, err = c.c.ReadSource(ctx, req)
	}
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
