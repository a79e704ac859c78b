// Package wire is the plugin protocol's plumbing shared by the SDK and the host: the
// handshake, the protocol versions and the go-plugin glue. Every constant a kernel
// and a plugin must agree on is in this file.
package wire

import (
	"github.com/hashicorp/go-plugin"
)

// ProtocolVersion is the newest protocol this SDK speaks. A kernel lists every version
// it still runs in HostVersions; a plugin built with an older SDK keeps working as
// long as its version is listed there.
//
// Version 2 is version 1 plus the Calls stream (ADR 28); a plugin serves both, so a
// kernel that runs only version 1 still runs it.
const ProtocolVersion = 2

// ServedVersions are the protocol versions a plugin built with this SDK serves.
var ServedVersions = []int{1, 2}

// HostVersions are the protocol versions a kernel built with this SDK runs, oldest
// first. Dropping a version from here is what refuses the plugins built for it.
var HostVersions = []int{1, 2}

// Streams reports whether a negotiated protocol version has the Calls stream.
func Streams(version int) bool { return version >= 2 }

// PluginName is the one plugin a GDBOS plugin binary serves.
const PluginName = "gdbos"

// Handshake makes sure a binary is a GDBOS plugin meant to be started by a kernel.
// The magic cookie is not security: the pinned SHA-256 and AutoMTLS are.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "GDBOS_PLUGIN",
	MagicCookieValue: "a5c3e1b2-gdbos-plugin-v1",
}

// ServerSet is what a plugin binary serves, by protocol version.
func ServerSet(impl any) map[int]plugin.PluginSet {
	out := map[int]plugin.PluginSet{}
	for _, v := range ServedVersions {
		out[v] = plugin.PluginSet{PluginName: &GRPCPlugin{Impl: impl}}
	}
	return out
}

// ClientSet is what a kernel accepts, by protocol version.
func ClientSet() map[int]plugin.PluginSet {
	out := map[int]plugin.PluginSet{}
	for _, v := range HostVersions {
		out[v] = plugin.PluginSet{PluginName: &GRPCPlugin{}}
	}
	return out
}
