package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/kernel"
)

func newServeCmd() *cobra.Command {
	var (
		listen, dataDir, dbURL, natsURL, logLevel string
		demo                                      bool
		rateToken, rateAnonymous                  int
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server (embedded SQLite by default)",
		Long: `Run GDBOS. Without --database it keeps its data in embedded SQLite under --data;
with --database postgres://… (or $GDBOS_DATABASE_URL) it runs on PostgreSQL. With
--nats (or $GDBOS_NATS_URL) replicas share events through NATS JetStream.
On first start it creates the superadmin "admin" with $GDBOS_ADMIN_PASSWORD, or
prints a generated password once.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := newLogger(logLevel)
			if err != nil {
				return err
			}
			return serve(cmd.Context(), log, listen, kernel.Config{
				DataDir: dataDir, DatabaseURL: envOr(dbURL, "GDBOS_DATABASE_URL"), NATSURL: envOr(natsURL, "GDBOS_NATS_URL"),
				NATSSubject: os.Getenv("GDBOS_NATS_SUBJECT"), AdminPassword: os.Getenv("GDBOS_ADMIN_PASSWORD"),
				MaskKey: os.Getenv("GDBOS_MASK_KEY"),
				Demo:    demo, DemoEntities: demo, Modules: distribution(demo), Logger: log,
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", envDefault("GDBOS_LISTEN", "127.0.0.1:8080"), "address to listen on")
	f.StringVar(&dataDir, "data", envDefault("GDBOS_DATA", "./gdbos-data"), "data folder for embedded SQLite")
	f.StringVar(&dbURL, "database", "", "PostgreSQL URL (default $GDBOS_DATABASE_URL; empty: embedded SQLite)")
	f.StringVar(&natsURL, "nats", "", "NATS URL for events between replicas (default $GDBOS_NATS_URL)")
	f.BoolVar(&demo, "demo", false, "load the Heilongjiang demo tenants into an empty database")
	f.StringVar(&logLevel, "log-level", envDefault("GDBOS_LOG_LEVEL", "info"), "debug, info, warn or error")
	f.IntVar(&rateToken, "rate-token", envInt("GDBOS_RATE_TOKEN", graph.DefaultLimits.TokenRate), "requests per second per session or API token (-1: no limit)")
	f.IntVar(&rateAnonymous, "rate-anonymous", envInt("GDBOS_RATE_ANONYMOUS", graph.DefaultLimits.AnonymousRate), "requests per second per address without a token (-1: no limit)")
	return cmd
}

// gcPercent is the collector's target when $GOGC is unset: requests allocate many
// short-lived objects (graphql-go builds its result as maps) and the heap stays small,
// so collecting less often buys throughput for little memory (docs/adr/0007).
const gcPercent = 400

func serve(ctx context.Context, log *slog.Logger, listen string, cfg kernel.Config) error {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	started := time.Now()
	k, err := kernel.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer k.Close()
	if k.AdminPassword != "" {
		fmt.Fprintf(os.Stderr, "\n  Superadmin created. Username: admin  Password: %s\n  It is shown only this once.\n\n", k.AdminPassword)
	}
	if err := k.Start(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("serve: listen: %w", err)
	}
	srv := &http.Server{
		Handler: k.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("gdbos is serving", slog.String("url", "http://"+ln.Addr().String()), slog.String("graphql", "http://"+ln.Addr().String()+"/graphql"),
		slog.String("database", dbKind(cfg)), slog.Duration("startup", time.Since(started)))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

func dbKind(cfg kernel.Config) string {
	if cfg.DatabaseURL != "" {
		return "postgresql"
	}
	return "sqlite:" + cfg.DataDir
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}

func envOr(flag, env string) string {
	if flag != "" {
		return flag
	}
	return os.Getenv(env)
}

func envInt(env string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(env)); err == nil {
		return n
	}
	return def
}

func envDefault(env, def string) string {
	if v := os.Getenv(env); v != "" {
		return v
	}
	return def
}
