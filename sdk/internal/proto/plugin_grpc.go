// Written by hand in the shape protoc-gen-go-grpc generates (that generator is not
// served by this project's module proxy); regenerate plugin.pb.go with go generate
// and keep the method lists below in step with plugin.proto.

package proto

import (
	"context"

	"google.golang.org/grpc"
)

// PluginClient calls the Plugin service.
type PluginClient interface {
	Manifest(ctx context.Context, in *ManifestRequest, opts ...grpc.CallOption) (*ManifestResponse, error)
	Configure(ctx context.Context, in *ConfigureRequest, opts ...grpc.CallOption) (*ConfigureResponse, error)
	Health(ctx context.Context, in *HealthRequest, opts ...grpc.CallOption) (*HealthResponse, error)
	Resolve(ctx context.Context, in *ResolveRequest, opts ...grpc.CallOption) (*ResolveResponse, error)
	HandleEvent(ctx context.Context, in *EventRequest, opts ...grpc.CallOption) (*EventResponse, error)
	RunAction(ctx context.Context, in *ActionRequest, opts ...grpc.CallOption) (*ActionResponse, error)
	CheckQuality(ctx context.Context, in *QualityRequest, opts ...grpc.CallOption) (*QualityResponse, error)
	ReadSource(ctx context.Context, in *SourceRequest, opts ...grpc.CallOption) (*SourceResponse, error)
	Calls(ctx context.Context, opts ...grpc.CallOption) (grpc.BidiStreamingClient[CallRequest, CallResponse], error)
}

type pluginClient struct{ cc grpc.ClientConnInterface }

// NewPluginClient returns a client of the Plugin service on cc.
func NewPluginClient(cc grpc.ClientConnInterface) PluginClient { return &pluginClient{cc} }

func (c *pluginClient) Manifest(ctx context.Context, in *ManifestRequest, opts ...grpc.CallOption) (*ManifestResponse, error) {
	out := new(ManifestResponse)
	if err := c.cc.Invoke(ctx, "/gdbos.plugin.v1.Plugin/Manifest", in, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *pluginClient) Configure(ctx context.Context, in *ConfigureRequest, opts ...grpc.CallOption) (*ConfigureResponse, error) {
	out := new(ConfigureResponse)
	if err := c.cc.Invoke(ctx, "/gdbos.plugin.v1.Plugin/Configure", in, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *pluginClient) Health(ctx context.Context, in *HealthRequest, opts ...grpc.CallOption) (*HealthResponse, error) {
	out := new(HealthResponse)
	if err := c.cc.Invoke(ctx, "/gdbos.plugin.v1.Plugin/Health", in, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *pluginClient) Resolve(ctx context.Context, in *ResolveRequest, opts ...grpc.CallOption) (*ResolveResponse, error) {
	out := new(ResolveResponse)
	if err := c.cc.Invoke(ctx, "/gdbos.plugin.v1.Plugin/Resolve", in, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *pluginClient) HandleEvent(ctx context.Context, in *EventRequest, opts ...grpc.CallOption) (*EventResponse, error) {
	out := new(EventResponse)
	if err := c.cc.Invoke(ctx, "/gdbos.plugin.v1.Plugin/HandleEvent", in, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *pluginClient) RunAction(ctx context.Context, in *ActionRequest, opts ...grpc.CallOption) (*ActionResponse, error) {
	out := new(ActionResponse)
	if err := c.cc.Invoke(ctx, "/gdbos.plugin.v1.Plugin/RunAction", in, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *pluginClient) CheckQuality(ctx context.Context, in *QualityRequest, opts ...grpc.CallOption) (*QualityResponse, error) {
	out := new(QualityResponse)
	if err := c.cc.Invoke(ctx, "/gdbos.plugin.v1.Plugin/CheckQuality", in, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *pluginClient) ReadSource(ctx context.Context, in *SourceRequest, opts ...grpc.CallOption) (*SourceResponse, error) {
	out := new(SourceResponse)
	if err := c.cc.Invoke(ctx, "/gdbos.plugin.v1.Plugin/ReadSource", in, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *pluginClient) Calls(ctx context.Context, opts ...grpc.CallOption) (grpc.BidiStreamingClient[CallRequest, CallResponse], error) {
	stream, err := c.cc.NewStream(ctx, &Plugin_ServiceDesc.Streams[0], "/gdbos.plugin.v1.Plugin/Calls", opts...)
	if err != nil {
		return nil, err
	}
	return &grpc.GenericClientStream[CallRequest, CallResponse]{ClientStream: stream}, nil
}

// PluginServer serves the Plugin service.
type PluginServer interface {
	Manifest(context.Context, *ManifestRequest) (*ManifestResponse, error)
	Configure(context.Context, *ConfigureRequest) (*ConfigureResponse, error)
	Health(context.Context, *HealthRequest) (*HealthResponse, error)
	Resolve(context.Context, *ResolveRequest) (*ResolveResponse, error)
	HandleEvent(context.Context, *EventRequest) (*EventResponse, error)
	RunAction(context.Context, *ActionRequest) (*ActionResponse, error)
	CheckQuality(context.Context, *QualityRequest) (*QualityResponse, error)
	ReadSource(context.Context, *SourceRequest) (*SourceResponse, error)
	Calls(grpc.BidiStreamingServer[CallRequest, CallResponse]) error
}

// RegisterPluginServer registers srv on s.
func RegisterPluginServer(s grpc.ServiceRegistrar, srv PluginServer) {
	s.RegisterService(&Plugin_ServiceDesc, srv)
}

func _Plugin_Manifest_Handler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(ManifestRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(PluginServer).Manifest(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/gdbos.plugin.v1.Plugin/Manifest"}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(PluginServer).Manifest(ctx, req.(*ManifestRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _Plugin_Configure_Handler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(ConfigureRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(PluginServer).Configure(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/gdbos.plugin.v1.Plugin/Configure"}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(PluginServer).Configure(ctx, req.(*ConfigureRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _Plugin_Health_Handler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(HealthRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(PluginServer).Health(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/gdbos.plugin.v1.Plugin/Health"}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(PluginServer).Health(ctx, req.(*HealthRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _Plugin_Resolve_Handler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(ResolveRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(PluginServer).Resolve(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/gdbos.plugin.v1.Plugin/Resolve"}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(PluginServer).Resolve(ctx, req.(*ResolveRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _Plugin_HandleEvent_Handler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(EventRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(PluginServer).HandleEvent(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/gdbos.plugin.v1.Plugin/HandleEvent"}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(PluginServer).HandleEvent(ctx, req.(*EventRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _Plugin_RunAction_Handler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(ActionRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(PluginServer).RunAction(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/gdbos.plugin.v1.Plugin/RunAction"}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(PluginServer).RunAction(ctx, req.(*ActionRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _Plugin_CheckQuality_Handler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(QualityRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(PluginServer).CheckQuality(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/gdbos.plugin.v1.Plugin/CheckQuality"}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(PluginServer).CheckQuality(ctx, req.(*QualityRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _Plugin_ReadSource_Handler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(SourceRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(PluginServer).ReadSource(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/gdbos.plugin.v1.Plugin/ReadSource"}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(PluginServer).ReadSource(ctx, req.(*SourceRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _Plugin_Calls_Handler(srv any, stream grpc.ServerStream) error {
	return srv.(PluginServer).Calls(&grpc.GenericServerStream[CallRequest, CallResponse]{ServerStream: stream})
}

// Plugin_ServiceDesc describes the Plugin service for grpc.
var Plugin_ServiceDesc = grpc.ServiceDesc{
	ServiceName: "gdbos.plugin.v1.Plugin",
	HandlerType: (*PluginServer)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Manifest", Handler: _Plugin_Manifest_Handler},
		{MethodName: "Configure", Handler: _Plugin_Configure_Handler},
		{MethodName: "Health", Handler: _Plugin_Health_Handler},
		{MethodName: "Resolve", Handler: _Plugin_Resolve_Handler},
		{MethodName: "HandleEvent", Handler: _Plugin_HandleEvent_Handler},
		{MethodName: "RunAction", Handler: _Plugin_RunAction_Handler},
		{MethodName: "CheckQuality", Handler: _Plugin_CheckQuality_Handler},
		{MethodName: "ReadSource", Handler: _Plugin_ReadSource_Handler},
	},
	Streams: []grpc.StreamDesc{
		{StreamName: "Calls", Handler: _Plugin_Calls_Handler, ServerStreams: true, ClientStreams: true},
	},
	Metadata: "plugin.proto",
}

// KernelClient calls the Kernel service.
type KernelClient interface {
	Query(ctx context.Context, in *QueryRequest, opts ...grpc.CallOption) (*QueryResponse, error)
}

type kernelClient struct{ cc grpc.ClientConnInterface }

// NewKernelClient returns a client of the Kernel service on cc.
func NewKernelClient(cc grpc.ClientConnInterface) KernelClient { return &kernelClient{cc} }

func (c *kernelClient) Query(ctx context.Context, in *QueryRequest, opts ...grpc.CallOption) (*QueryResponse, error) {
	out := new(QueryResponse)
	if err := c.cc.Invoke(ctx, "/gdbos.plugin.v1.Kernel/Query", in, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}

// KernelServer serves the Kernel service.
type KernelServer interface {
	Query(context.Context, *QueryRequest) (*QueryResponse, error)
}

// RegisterKernelServer registers srv on s.
func RegisterKernelServer(s grpc.ServiceRegistrar, srv KernelServer) {
	s.RegisterService(&Kernel_ServiceDesc, srv)
}

func _Kernel_Query_Handler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(QueryRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(KernelServer).Query(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/gdbos.plugin.v1.Kernel/Query"}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(KernelServer).Query(ctx, req.(*QueryRequest))
	}
	return interceptor(ctx, in, info, handler)
}

// Kernel_ServiceDesc describes the Kernel service for grpc.
var Kernel_ServiceDesc = grpc.ServiceDesc{
	ServiceName: "gdbos.plugin.v1.Kernel",
	HandlerType: (*KernelServer)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Query", Handler: _Kernel_Query_Handler},
	},
	Streams:  []grpc.StreamDesc{},
	Metadata: "plugin.proto",
}
