//go:build tools

package gdbos

import (
	_ "entgo.io/ent"
	_ "entgo.io/ent/entc"
	_ "github.com/casbin/casbin/v2"
	_ "github.com/graphql-go/graphql"
	_ "github.com/hashicorp/go-plugin"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/open-policy-agent/opa/v1/rego"
	_ "modernc.org/sqlite"
	_ "google.golang.org/grpc"
	_ "github.com/nats-io/nats.go/jetstream"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "golang.org/x/crypto/argon2"
	_ "sigs.k8s.io/yaml"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/spf13/cobra"
)
