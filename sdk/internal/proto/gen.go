// Package proto holds the plugin protocol's messages (generated from plugin.proto by
// protoc-gen-go) and its gRPC service glue (plugin_grpc.go, written by hand because
// protoc-gen-go-grpc is not served by this project's module proxy).
package proto

//go:generate sh -c "go build -o \"${TMPDIR:-/tmp}/gdbos-protoc-gen-go\" google.golang.org/protobuf/cmd/protoc-gen-go && protoc --plugin=protoc-gen-go=\"${TMPDIR:-/tmp}/gdbos-protoc-gen-go\" --go_out=. --go_opt=paths=source_relative plugin.proto"
