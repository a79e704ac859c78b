package wire

import (
	"context"
	"errors"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/gdbos/gdbos/sdk/internal/proto"
)

// GRPCPlugin adapts the protocol's services to go-plugin. On the plugin's side Impl
// is a proto.PluginServer; on the kernel's side it is nil and the client is a Conn.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl any
}

// BrokerAware is implemented by plugin servers that call the kernel back.
type BrokerAware interface {
	SetBroker(b *plugin.GRPCBroker)
}

// KernelDialer is implemented by plugin servers whose calls back can be pointed at
// a kernel reached another way than the broker (the sdktest kit's in-memory one).
type KernelDialer interface {
	SetKernelDialer(dial func() (proto.KernelClient, error))
}

// GRPCServer registers the plugin's service on s.
func (p *GRPCPlugin) GRPCServer(b *plugin.GRPCBroker, s *grpc.Server) error {
	srv, ok := p.Impl.(proto.PluginServer)
	if !ok {
		return errors.New("wire: plugin implementation does not serve the plugin protocol")
	}
	if ba, ok := p.Impl.(BrokerAware); ok {
		ba.SetBroker(b)
	}
	proto.RegisterPluginServer(s, srv)
	return nil
}

// GRPCClient returns a Conn over c.
func (p *GRPCPlugin) GRPCClient(_ context.Context, b *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &Conn{ClientConn: c, Broker: b}, nil
}

// Conn is the kernel's side of one plugin connection.
type Conn struct {
	ClientConn *grpc.ClientConn
	Broker     *plugin.GRPCBroker
}

// NewServer turns an sdk.Plugin into the protocol's server. The sdk package sets it
// in its init, so that sdktest can serve a plugin in memory without exporting the
// conversion from sdk.
var NewServer func(p any) (proto.PluginServer, error)

// The flow-control windows of a plugin connection, fixed on both sides. A fixed
// window turns off gRPC's bandwidth estimation, which otherwise sends a PING (and
// gets its ACK) with nearly every message: two more writes and reads per call on a
// connection that is a local socket. Large answers still flow: a side grants more
// window as it reads.
const (
	streamWindow = 1 << 20
	connWindow   = 16 << 20
)

// DialOptions are the kernel's gRPC options for a plugin connection.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithInitialWindowSize(streamWindow), grpc.WithInitialConnWindowSize(connWindow)}
}

// NewGRPCServer is the plugin's gRPC server: go-plugin's options (TLS) and the fixed
// windows.
func NewGRPCServer(opts []grpc.ServerOption) *grpc.Server {
	opts = append(opts, grpc.InitialWindowSize(streamWindow), grpc.InitialConnWindowSize(connWindow))
	return grpc.NewServer(opts...)
}
