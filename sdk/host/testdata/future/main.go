// Command future is a plugin for sdk/host's tests that speaks a protocol version no
// kernel runs yet.
package main

import (
	"context"

	"github.com/hashicorp/go-plugin"

	"github.com/gdbos/gdbos/sdk"
	"github.com/gdbos/gdbos/sdk/internal/wire"
)

func main() {
	srv, err := wire.NewServer(sdk.Plugin{
		Manifest: sdk.Manifest{ID: "future", Version: "9.0.0"},
		Events:   map[string]sdk.EventHandler{"x": func(context.Context, sdk.Event) error { return nil }},
	})
	if err != nil {
		panic(err)
	}
	hs := wire.Handshake
	hs.ProtocolVersion = 99
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  hs,
		VersionedPlugins: map[int]plugin.PluginSet{99: {wire.PluginName: &wire.GRPCPlugin{Impl: srv}}},
		GRPCServer:       plugin.DefaultGRPCServer,
	})
}
