package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gdbos/gdbos/sdk/internal/proto"
	"github.com/gdbos/gdbos/sdk/internal/wire"
)

// ProtocolVersion is the plugin protocol this SDK speaks.
const ProtocolVersion = wire.ProtocolVersion

// Version is this SDK's version, reported in the manifest.
const Version = "0.1.0"

func init() {
	wire.NewServer = func(p any) (proto.PluginServer, error) {
		pl, ok := p.(Plugin)
		if !ok {
			return nil, fmt.Errorf("sdk: %T is not an sdk.Plugin", p)
		}
		return newServer(pl)
	}
}

// Serve runs the plugin until the kernel stops it. Run the binary by hand and it
// says it is a plugin and exits.
func Serve(p Plugin) {
	srv, err := newServer(p)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(max(p.MaxProcs, 1))
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  wire.Handshake,
		VersionedPlugins: wire.ServerSet(srv),
		GRPCServer:       wire.NewGRPCServer,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name: p.Manifest.ID, Level: hclog.Info, Output: os.Stderr, JSONFormat: true,
		}),
	})
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// Check reports what is wrong with a plugin before it is served; Serve and sdktest
// call it, so a vendor sees mistakes on the first run.
func Check(p Plugin) error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	m := p.Manifest
	if !idPattern.MatchString(m.ID) || len(m.ID) > 40 {
		bad("manifest.id", "%q must be lowercase words joined by dashes, at most 40 characters", m.ID)
	}
	if m.Version == "" {
		bad("manifest.version", "is empty")
	}
	if p.MaxProcs < 0 {
		bad("maxProcs", "%d is negative", p.MaxProcs)
	}
	for i, perm := range m.Permissions {
		if perm.On == "" || len(perm.Actions) == 0 {
			bad(fmt.Sprintf("manifest.permissions[%d]", i), "needs on and actions")
		}
	}
	if g := p.GraphQL; g != nil {
		if g.SDL == "" {
			bad("graphql.sdl", "is empty")
		}
		if len(g.Resolvers) == 0 {
			bad("graphql.resolvers", "is empty")
		}
		for name, r := range g.Resolvers {
			if r == nil {
				bad("graphql.resolvers."+name, "is nil")
			}
		}
	}
	for name, h := range p.Events {
		if h == nil || name == "" {
			bad("events."+name, "needs a topic and a handler")
		}
	}
	for name, a := range p.Actions {
		if a == nil || name == "" {
			bad("actions."+name, "needs a name and a function")
		}
	}
	for name, r := range p.QualityRules {
		if r == nil || name == "" {
			bad("qualityRules."+name, "needs a name and a function")
		}
	}
	for name, s := range p.DataSources {
		if s == nil || name == "" {
			bad("dataSources."+name, "needs a name and a function")
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sdk: plugin %q is not valid:\n%w", m.ID, err)
	}
	return nil
}

// server serves the protocol for one Plugin.
type server struct {
	p      Plugin
	setup  sync.Once
	broker *plugin.GRPCBroker
	kernel *kernelClient
}

func newServer(p Plugin) (*server, error) {
	if err := Check(p); err != nil {
		return nil, err
	}
	return &server{p: p, kernel: &kernelClient{}}, nil
}

func (s *server) SetBroker(b *plugin.GRPCBroker) { s.broker = b }

func (s *server) SetKernelDialer(dial func() (proto.KernelClient, error)) { s.kernel.dial = dial }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func named[V any](m map[string]V) []*proto.Named {
	var out []*proto.Named
	for _, k := range sortedKeys(m) {
		out = append(out, &proto.Named{Name: k})
	}
	return out
}

func (s *server) Manifest(context.Context, *proto.ManifestRequest) (*proto.ManifestResponse, error) {
	m := s.p.Manifest
	out := &proto.ManifestResponse{
		Id: m.ID, Version: m.Version, Name: m.Name, Description: m.Description, SdkVersion: Version,
		Events: sortedKeys(s.p.Events), Actions: named(s.p.Actions),
		QualityRules: named(s.p.QualityRules), DataSources: named(s.p.DataSources),
	}
	for _, perm := range m.Permissions {
		out.Permissions = append(out.Permissions, &proto.Permission{On: perm.On, Actions: perm.Actions, Description: perm.Description})
	}
	if g := s.p.GraphQL; g != nil {
		out.Graphql = &proto.GraphQL{Sdl: g.SDL, Resolvers: sortedKeys(g.Resolvers)}
	}
	return out, nil
}

func (s *server) Configure(ctx context.Context, req *proto.ConfigureRequest) (*proto.ConfigureResponse, error) {
	if s.broker != nil && req.KernelBrokerId != 0 {
		s.kernel.dial = func() (proto.KernelClient, error) {
			conn, err := s.broker.Dial(req.KernelBrokerId)
			if err != nil {
				return nil, err
			}
			return proto.NewKernelClient(conn), nil
		}
	}
	var err error
	s.setup.Do(func() {
		if s.p.Setup != nil {
			err = s.p.Setup(ctx, Env{DataDir: req.DataDir})
		}
	})
	if err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	return &proto.ConfigureResponse{}, nil
}

func (s *server) Health(context.Context, *proto.HealthRequest) (*proto.HealthResponse, error) {
	return &proto.HealthResponse{Ok: true}, nil
}

func (s *server) call(c *proto.Call) Call {
	if c == nil {
		c = &proto.Call{}
	}
	return Call{Tenant: c.Tenant, User: c.User, Kernel: &boundKernel{k: s.kernel, tenant: c.Tenant}}
}

func failure(err error) *proto.Failure {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return &proto.Failure{Code: e.Code, Message: e.Message}
	}
	return &proto.Failure{Code: "PLUGIN_ERROR", Message: err.Error()}
}

func decodeObject(b []byte) (map[string]any, error) {
	m := map[string]any{}
	if len(b) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("sdk: decoding the kernel's JSON: %w", err)
	}
	return m, nil
}

func (s *server) Resolve(ctx context.Context, req *proto.ResolveRequest) (*proto.ResolveResponse, error) {
	var r Resolver
	if s.p.GraphQL != nil {
		r = s.p.GraphQL.Resolvers[req.Field]
	}
	if r == nil {
		return &proto.ResolveResponse{Failure: &proto.Failure{Code: "NOT_FOUND", Message: "no resolver for field " + req.Field}}, nil
	}
	args, err := decodeObject(req.ArgsJson)
	if err != nil {
		return nil, err
	}
	v, err := r(ctx, FieldRequest{Call: s.call(req.Call), Field: req.Field, Args: args})
	if err != nil {
		return &proto.ResolveResponse{Failure: failure(err)}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return &proto.ResolveResponse{Failure: failure(fmt.Errorf("encoding the answer of %s: %w", req.Field, err))}, nil
	}
	return &proto.ResolveResponse{ResultJson: b}, nil
}

// Calls serves protocol version 2's call stream: one call at a time, each answered
// before the next is read, in the stream's own goroutine (the kernel opens a stream
// per concurrent caller). The stream's context ends when the kernel gives up on a
// call; the handler's also ends at the call's deadline.
func (s *server) Calls(stream grpc.BidiStreamingServer[proto.CallRequest, proto.CallResponse]) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		ctx, cancel := stream.Context(), context.CancelFunc(func() {})
		if req.TimeoutNanos > 0 {
			ctx, cancel = context.WithTimeout(ctx, time.Duration(req.TimeoutNanos))
		}
		out := s.dispatch(ctx, req)
		cancel()
		if err := stream.Send(out); err != nil {
			return err
		}
	}
}

// dispatch runs one call of the stream with the unary methods' code; an error they
// return travels as the status a unary call would have ended with.
func (s *server) dispatch(ctx context.Context, req *proto.CallRequest) *proto.CallResponse {
	out := &proto.CallResponse{}
	var err error
	switch op := req.Op.(type) {
	case *proto.CallRequest_Resolve:
		r := &proto.ResolveBatchResponse{}
		r.Fields, err = s.resolveBatch(ctx, op.Resolve.GetFields())
		out.Op = &proto.CallResponse_Resolve{Resolve: r}
	case *proto.CallRequest_Event:
		var r *proto.EventResponse
		r, err = s.HandleEvent(ctx, op.Event)
		out.Op = &proto.CallResponse_Event{Event: r}
	case *proto.CallRequest_Action:
		var r *proto.ActionResponse
		r, err = s.RunAction(ctx, op.Action)
		out.Op = &proto.CallResponse_Action{Action: r}
	case *proto.CallRequest_Quality:
		var r *proto.QualityResponse
		r, err = s.CheckQuality(ctx, op.Quality)
		out.Op = &proto.CallResponse_Quality{Quality: r}
	case *proto.CallRequest_Source:
		var r *proto.SourceResponse
		r, err = s.ReadSource(ctx, op.Source)
		out.Op = &proto.CallResponse_Source{Source: r}
	default:
		err = status.Errorf(codes.Unimplemented, "sdk %s: unknown call %T", Version, req.Op)
	}
	if err != nil {
		st := status.Convert(err)
		return &proto.CallResponse{ErrorCode: uint32(st.Code()), ErrorMessage: st.Message()}
	}
	return out
}

// resolveBatch resolves the fields a query asks of the plugin, at the same time when
// there are several.
func (s *server) resolveBatch(ctx context.Context, fields []*proto.ResolveRequest) ([]*proto.ResolveResponse, error) {
	out := make([]*proto.ResolveResponse, len(fields))
	errs := make([]error, len(fields))
	if len(fields) == 1 {
		out[0], errs[0] = s.Resolve(ctx, fields[0])
		return out, errs[0]
	}
	var wg sync.WaitGroup
	for i, f := range fields {
		wg.Go(func() { out[i], errs[i] = s.Resolve(ctx, f) })
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func (s *server) HandleEvent(ctx context.Context, req *proto.EventRequest) (*proto.EventResponse, error) {
	e := Event{Call: s.call(req.Call), ID: req.Id, Topic: req.Topic, Payload: req.PayloadJson, Time: time.Unix(0, req.TimeUnixNano).UTC()}
	var errs []error
	for _, prefix := range sortedKeys(s.p.Events) {
		if len(req.Topic) >= len(prefix) && req.Topic[:len(prefix)] == prefix {
			errs = append(errs, s.p.Events[prefix](ctx, e))
		}
	}
	return &proto.EventResponse{Failure: failure(errors.Join(errs...))}, nil
}

func (s *server) RunAction(ctx context.Context, req *proto.ActionRequest) (*proto.ActionResponse, error) {
	a := s.p.Actions[req.Action]
	if a == nil {
		return &proto.ActionResponse{Failure: &proto.Failure{Code: "NOT_FOUND", Message: "no action " + req.Action}}, nil
	}
	c, err := decodeObject(req.CaseJson)
	if err != nil {
		return nil, err
	}
	out, err := a(ctx, ActionRequest{Call: s.call(req.Call), Action: req.Action, Case: c})
	if err != nil {
		return &proto.ActionResponse{Failure: failure(err)}, nil
	}
	data, err := json.Marshal(out.Data)
	if err != nil {
		return &proto.ActionResponse{Failure: failure(fmt.Errorf("encoding the outcome's data: %w", err))}, nil
	}
	return &proto.ActionResponse{Outcome: out.Outcome, Message: out.Message, DataJson: data}, nil
}

func (s *server) CheckQuality(ctx context.Context, req *proto.QualityRequest) (*proto.QualityResponse, error) {
	r := s.p.QualityRules[req.Rule]
	if r == nil {
		return &proto.QualityResponse{Failure: &proto.Failure{Code: "NOT_FOUND", Message: "no quality rule " + req.Rule}}, nil
	}
	rec, err := decodeObject(req.RecordJson)
	if err != nil {
		return nil, err
	}
	issues, err := r(ctx, RecordRequest{Call: s.call(req.Call), Rule: req.Rule, Record: rec})
	if err != nil {
		return &proto.QualityResponse{Failure: failure(err)}, nil
	}
	out := &proto.QualityResponse{}
	for _, is := range issues {
		out.Issues = append(out.Issues, &proto.Issue{Path: is.Path, Message: is.Message})
	}
	return out, nil
}

func (s *server) ReadSource(ctx context.Context, req *proto.SourceRequest) (*proto.SourceResponse, error) {
	src := s.p.DataSources[req.Source]
	if src == nil {
		return &proto.SourceResponse{Failure: &proto.Failure{Code: "NOT_FOUND", Message: "no data source " + req.Source}}, nil
	}
	q, err := decodeObject(req.QueryJson)
	if err != nil {
		return nil, err
	}
	rows, err := src(ctx, SourceRequest{Call: s.call(req.Call), Source: req.Source, Query: q})
	if err != nil {
		return &proto.SourceResponse{Failure: failure(err)}, nil
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return &proto.SourceResponse{Failure: failure(fmt.Errorf("encoding rows: %w", err))}, nil
	}
	return &proto.SourceResponse{RowsJson: b}, nil
}

// interface guards
var (
	_ proto.PluginServer = (*server)(nil)
	_ wire.BrokerAware   = (*server)(nil)
	_ wire.KernelDialer  = (*server)(nil)
)
