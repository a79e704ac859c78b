// Tools and required dependencies that no package imports yet (the plugin host and
// the policy engine arrive with later issues) are pinned here so go mod tidy keeps them.

//go:build tools

package gdbos

import (
	_ "entgo.io/ent"
	_ "entgo.io/ent/entc"
	_ "github.com/casbin/casbin/v2"
	_ "github.com/graphql-go/graphql"
	_ "github.com/hashicorp/go-plugin"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/nats-io/nats.go/jetstream"
	_ "github.com/open-policy-agent/opa/v1/rego"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "github.com/spf13/cobra"
	_ "golang.org/x/crypto/argon2"
	_ "google.golang.org/grpc"
	_ "modernc.org/sqlite"
	_ "sigs.k8s.io/yaml"
)
