// Package sdktest is a fake GDBOS kernel for testing a plugin without one: it serves
// the plugin over an in-memory gRPC connection, speaking the same protocol as the
// kernel, and answers the plugin's calls back with the functions you give it.
package sdktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/gdbos/gdbos/sdk"
	"github.com/gdbos/gdbos/sdk/host"
	"github.com/gdbos/gdbos/sdk/internal/proto"
	"github.com/gdbos/gdbos/sdk/internal/wire"
)

// Host is the fake kernel. Every field is optional.
type Host struct {
	// Tenant and User are who the calls are made for (default 230102, "tester").
	Tenant, User string
	// DataDir is the plugin's data directory (default: a new temporary one).
	DataDir string
	// Query answers the plugin's Kernel.Query calls; nil answers with an error.
	Query func(ctx context.Context, tenant, query string, variables map[string]any) (map[string]any, error)
	// Timeout bounds each call (default 5 s).
	Timeout time.Duration
}

// Plugin is a plugin served by the fake host.
type Plugin struct {
	client   *host.Client
	manifest host.Manifest
	call     host.Call
	timeout  time.Duration
	close    func()
}

// Serve starts p in memory and stops it when the test ends; it fails the test if
// the plugin is not valid or its Setup fails.
func Serve(t testing.TB, p sdk.Plugin, h Host) *Plugin {
	t.Helper()
	if h.DataDir == "" {
		h.DataDir = t.TempDir()
	}
	pl, err := New(p, h)
	if err != nil {
		t.Fatalf("sdktest: %v", err)
	}
	t.Cleanup(pl.Close)
	return pl
}

// New starts p in memory; Close stops it. Serve is the shorter way inside a test.
func New(p sdk.Plugin, h Host) (*Plugin, error) {
	if h.Tenant == "" {
		h.Tenant = "230102"
	}
	if h.User == "" {
		h.User = "tester"
	}
	if h.Timeout == 0 {
		h.Timeout = 5 * time.Second
	}
	if h.DataDir == "" {
		dir, err := os.MkdirTemp("", "sdktest-")
		if err != nil {
			return nil, fmt.Errorf("sdktest: %w", err)
		}
		h.DataDir = dir
	}
	srv, err := wire.NewServer(p)
	if err != nil {
		return nil, err
	}
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	kernelConn, stopKernel, err := inMemory(func(s *grpc.Server) { proto.RegisterKernelServer(s, &fakeKernel{h: h}) })
	if err != nil {
		return nil, err
	}
	closers = append(closers, stopKernel)
	if kd, ok := srv.(wire.KernelDialer); ok {
		kd.SetKernelDialer(func() (proto.KernelClient, error) { return proto.NewKernelClient(kernelConn), nil })
	}
	conn, stop, err := inMemory(func(s *grpc.Server) { proto.RegisterPluginServer(s, srv) })
	if err != nil {
		closeAll()
		return nil, err
	}
	closers = append(closers, stop)
	pl := &Plugin{client: host.NewClient(conn), call: host.Call{Tenant: h.Tenant, User: h.User}, timeout: h.Timeout, close: closeAll}
	ctx, cancel := context.WithTimeout(context.Background(), h.Timeout)
	defer cancel()
	if pl.manifest, err = pl.client.Manifest(ctx); err != nil {
		closeAll()
		return nil, err
	}
	if err := pl.client.Configure(ctx, h.DataDir, 0); err != nil {
		closeAll()
		return nil, fmt.Errorf("sdktest: setup: %w", err)
	}
	return pl, nil
}

func inMemory(register func(*grpc.Server)) (*grpc.ClientConn, func(), error) {
	l := bufconn.Listen(1 << 20)
	s := grpc.NewServer()
	register(s)
	go func() { _ = s.Serve(l) }()
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return l.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		s.Stop()
		return nil, nil, fmt.Errorf("sdktest: %w", err)
	}
	return conn, func() { _ = conn.Close(); s.Stop() }, nil
}

// Close stops the plugin.
func (p *Plugin) Close() { p.close() }

// Manifest is what the plugin tells the kernel about itself: the capabilities it
// registered and the permissions it asks for.
func (p *Plugin) Manifest() host.Manifest { return p.manifest }

func (p *Plugin) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), p.timeout)
}

// Resolve asks for a GraphQL field, as the kernel would, and decodes the answer
// from JSON.
func (p *Plugin) Resolve(field string, args map[string]any) (any, error) {
	ctx, cancel := p.ctx()
	defer cancel()
	b, err := p.client.Resolve(ctx, p.call, field, args)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("sdktest: %w", err)
	}
	return v, nil
}

// Event hands the plugin an event whose payload is v encoded as JSON.
func (p *Plugin) Event(topic string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("sdktest: %w", err)
	}
	ctx, cancel := p.ctx()
	defer cancel()
	return p.client.HandleEvent(ctx, p.call, host.Event{ID: 1, Topic: topic, Payload: b, Time: time.Now()})
}

// Action runs a workflow action on a case.
func (p *Plugin) Action(name string, caseData map[string]any) (host.Outcome, error) {
	ctx, cancel := p.ctx()
	defer cancel()
	return p.client.RunAction(ctx, p.call, name, caseData)
}

// Check runs a quality rule on a record.
func (p *Plugin) Check(rule string, record map[string]any) ([]host.Issue, error) {
	ctx, cancel := p.ctx()
	defer cancel()
	return p.client.CheckQuality(ctx, p.call, rule, record)
}

// Source reads rows from a data source.
func (p *Plugin) Source(name string, query map[string]any) ([]map[string]any, error) {
	ctx, cancel := p.ctx()
	defer cancel()
	return p.client.ReadSource(ctx, p.call, name, query)
}

// fakeKernel answers calls back with Host.Query.
type fakeKernel struct{ h Host }

func (k *fakeKernel) Query(ctx context.Context, req *proto.QueryRequest) (*proto.QueryResponse, error) {
	if k.h.Query == nil {
		return &proto.QueryResponse{Failure: &proto.Failure{Code: "FORBIDDEN", Message: "sdktest: the fake host answers no queries (set Host.Query)"}}, nil
	}
	vars := map[string]any{}
	if len(req.VariablesJson) > 0 {
		_ = json.Unmarshal(req.VariablesJson, &vars)
	}
	data, err := k.h.Query(ctx, req.Tenant, req.Query, vars)
	if err != nil {
		f := &proto.Failure{Code: "PLUGIN_ERROR", Message: err.Error()}
		var e *sdk.Error
		if errors.As(err, &e) {
			f.Code, f.Message = e.Code, e.Message
		}
		return &proto.QueryResponse{Failure: f}, nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	return &proto.QueryResponse{DataJson: b}, nil
}
