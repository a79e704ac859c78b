package host

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/gdbos/gdbos/sdk/internal/proto"
	"github.com/gdbos/gdbos/sdk/internal/wire"
)

// ErrChecksum is returned by Start when the binary is not the one pinned.
var ErrChecksum = errors.New("plugin binary checksum differs from the pinned SHA-256")

// ErrProtocol is returned by Start when the plugin speaks a protocol version this
// kernel does not run.
var ErrProtocol = errors.New("plugin protocol version not supported")

// KernelFunc answers a plugin's call back: a GraphQL query at tenant, run as the
// plugin's service identity.
type KernelFunc func(ctx context.Context, tenant, query string, variables map[string]any) (map[string]any, error)

// Config says which binary to start and how.
type Config struct {
	// ID tags logs; the manifest's ID must equal it when set.
	ID string
	// Binary is the plugin binary, opened once with OpenBinary and started as often
	// as needed without hashing it again.
	Binary *Binary
	// Path and SHA256 (hex) name the binary and its pinned checksum when Binary is
	// nil: it is opened and checked for this start only.
	Path   string
	SHA256 string
	// DataDir is the plugin's own directory, created if missing.
	DataDir string
	// Logger receives the plugin's log lines, tagged plugin=ID.
	Logger *slog.Logger
	// LogLinesPerSecond caps what the plugin may log (default 200); the rest is
	// counted and dropped.
	LogLinesPerSecond int
	// Kernel answers calls back; nil refuses them.
	Kernel KernelFunc
	// StartTimeout bounds the start and handshake (default 5 s).
	StartTimeout time.Duration
}

// Process is a running plugin binary.
type Process struct {
	*Client
	client   *plugin.Client
	manifest Manifest
	protocol int
	logs     *limitedLog
}

// FileSHA256 returns the hex SHA-256 of a file.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("host: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("host: reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Start starts a plugin binary (cfg.Binary, or cfg.Path checked against cfg.SHA256),
// negotiates the protocol over mutual TLS, reads its manifest and configures it.
func Start(ctx context.Context, cfg Config) (*Process, error) {
	bin := cfg.Binary
	if bin == nil {
		var err error
		if bin, err = OpenBinary(cfg.Path, cfg.SHA256); err != nil {
			return nil, err
		}
		defer bin.Close()
	}
	cfg.Path, cfg.SHA256 = bin.path, hex.EncodeToString(bin.sum)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = 5 * time.Second
	}
	if cfg.LogLinesPerSecond == 0 {
		cfg.LogLinesPerSecond = 200
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("host: data dir: %w", err)
		}
	}
	image, err := bin.execFile()
	if err != nil {
		return nil, err
	}
	var secure *plugin.SecureConfig
	var cmd *exec.Cmd
	if image != nil {
		// The sealed copy checked by OpenBinary: nothing to hash again.
		defer image.Close()
		cmd = exec.Command(execPath(image))
		cmd.Args[0] = bin.path
	} else {
		cmd = exec.Command(bin.path)
		secure = &plugin.SecureConfig{Checksum: bin.sum, Hash: sha256.New()}
	}
	cmd.Dir = cfg.DataDir
	tlsConfig, certPEM, err := mutualTLS()
	if err != nil {
		return nil, err
	}
	cmd.Env = pluginEnv(certPEM)
	logs := &limitedLog{log: cfg.Logger.With(slog.String("plugin", cfg.ID)), perSecond: cfg.LogLinesPerSecond}
	pc := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  wire.Handshake,
		VersionedPlugins: wire.ClientSet(),
		Cmd:              cmd,
		SkipHostEnv:      true,
		SecureConfig:     secure,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		TLSConfig:        tlsConfig,
		GRPCDialOptions:  wire.DialOptions(),
		StartTimeout:     cfg.StartTimeout,
		// Every line the plugin writes to stderr (the SDK's JSON log lines and
		// anything else) goes through the rate limit to slog; go-plugin's own
		// re-logging of those lines is off, so each is logged once.
		Logger:     hclog.New(&hclog.LoggerOptions{Name: "plugin", Level: hclog.Off, Output: io.Discard}),
		Stderr:     logs,
		SyncStdout: io.Discard,
		SyncStderr: io.Discard,
	})
	p, err := connect(ctx, pc, cfg, logs)
	if err != nil {
		pc.Kill()
		return nil, err
	}
	return p, nil
}

func connect(ctx context.Context, pc *plugin.Client, cfg Config, logs *limitedLog) (*Process, error) {
	rpc, err := pc.Client()
	if err != nil {
		if strings.Contains(err.Error(), "incompatible API version") {
			return nil, fmt.Errorf("%w: %s: %w (this kernel runs protocol versions %v; rebuild the plugin with a supported SDK)", ErrProtocol, cfg.Path, err, wire.HostVersions)
		}
		if strings.Contains(err.Error(), "checksums did not match") {
			// go-plugin's SecureConfig hashed the binary; hash it again only now, to
			// say what it is.
			got, _ := FileSHA256(cfg.Path)
			return nil, fmt.Errorf("%w: %s has sha256 %s, the catalog pins %s", ErrChecksum, cfg.Path, got, strings.ToLower(cfg.SHA256))
		}
		return nil, fmt.Errorf("%w: starting %s: %w", ErrUnavailable, cfg.Path, err)
	}
	raw, err := rpc.Dispense(wire.PluginName)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnavailable, cfg.Path, err)
	}
	conn, ok := raw.(*wire.Conn)
	if !ok {
		return nil, fmt.Errorf("%w: %s: unexpected plugin type %T", ErrBadResponse, cfg.Path, raw)
	}
	p := &Process{Client: newClient(conn.ClientConn, pc.NegotiatedVersion()), client: pc, protocol: pc.NegotiatedVersion(), logs: logs}
	cctx, cancel := context.WithTimeout(ctx, cfg.StartTimeout)
	defer cancel()
	if p.manifest, err = p.Client.Manifest(cctx); err != nil {
		return nil, err
	}
	if cfg.ID != "" && p.manifest.ID != cfg.ID {
		return nil, fmt.Errorf("%w: %s says it is plugin %q, not %q", ErrBadResponse, cfg.Path, p.manifest.ID, cfg.ID)
	}
	var brokerID uint32
	if cfg.Kernel != nil {
		brokerID = conn.Broker.NextId()
		go conn.Broker.AcceptAndServe(brokerID, func(opts []grpc.ServerOption) *grpc.Server {
			s := grpc.NewServer(opts...)
			proto.RegisterKernelServer(s, &kernelServer{fn: cfg.Kernel})
			return s
		})
	}
	if err := p.Configure(cctx, cfg.DataDir, brokerID); err != nil {
		return nil, fmt.Errorf("host: configuring %s: %w", cfg.ID, err)
	}
	return p, nil
}

// Manifest is what the plugin said about itself at start.
func (p *Process) Manifest() Manifest { return p.manifest }

// Protocol is the negotiated protocol version.
func (p *Process) Protocol() int { return p.protocol }

// Exited reports whether the process has ended.
func (p *Process) Exited() bool { return p.client.Exited() }

// Kill ends the process.
func (p *Process) Kill() {
	p.Client.Close()
	p.client.Kill()
}

// DroppedLogLines counts the log lines dropped because the plugin logged too much.
func (p *Process) DroppedLogLines() int64 { return p.logs.dropped.Load() }

// kernelServer answers a plugin's calls back.
type kernelServer struct{ fn KernelFunc }

func (k *kernelServer) Query(ctx context.Context, req *proto.QueryRequest) (*proto.QueryResponse, error) {
	vars := map[string]any{}
	if len(req.VariablesJson) > 0 && !bytes.Equal(req.VariablesJson, []byte("null")) {
		if err := json.Unmarshal(req.VariablesJson, &vars); err != nil {
			return &proto.QueryResponse{Failure: &proto.Failure{Code: "BAD_REQUEST", Message: "variables are not a JSON object"}}, nil
		}
	}
	data, err := k.fn(ctx, req.Tenant, req.Query, vars)
	if err != nil {
		code := "PLUGIN_ERROR"
		var coded interface{ ErrorCode() string }
		if errors.As(err, &coded) {
			code = coded.ErrorCode()
		}
		return &proto.QueryResponse{Failure: &proto.Failure{Code: code, Message: err.Error()}}, nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("host: encoding the kernel's answer: %w", err)
	}
	return &proto.QueryResponse{DataJson: b}, nil
}

// limitedLog passes a plugin's log lines to slog, at most perSecond a second; a
// plugin that floods its log costs the kernel counting, not writing.
type limitedLog struct {
	log       *slog.Logger
	perSecond int
	mu        sync.Mutex
	second    int64
	n         int
	dropped   atomic.Int64
}

func (l *limitedLog) Write(b []byte) (int, error) {
	line := bytes.TrimSpace(b)
	if len(line) == 0 {
		return len(b), nil // go-plugin writes each line's newline on its own
	}
	now := time.Now().Unix()
	l.mu.Lock()
	if now != l.second {
		if skipped := l.n - l.perSecond; skipped > 0 {
			l.log.Warn("plugin logged too much; lines dropped", slog.Int("dropped", skipped))
		}
		l.second, l.n = now, 0
	}
	l.n++
	over := l.n > l.perSecond
	l.mu.Unlock()
	if over {
		l.dropped.Add(1)
		return len(b), nil
	}
	var entry struct {
		Level   string `json:"@level"`
		Message string `json:"@message"`
	}
	if json.Unmarshal(line, &entry) != nil || entry.Message == "" {
		entry.Message = string(line)
	}
	level := slog.LevelInfo
	switch entry.Level {
	case "error":
		level = slog.LevelError
	case "warn":
		level = slog.LevelWarn
	case "debug", "trace":
		level = slog.LevelDebug
	}
	l.log.Log(context.Background(), level, entry.Message)
	return len(b), nil
}
