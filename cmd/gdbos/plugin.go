package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/tabwriter"
	"text/template"

	"github.com/spf13/cobra"
)

func newPluginCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plugin",
		Short: "Install, upgrade, remove and list vendor plugins; scaffold a new one",
		Long: "Plugins are separate binaries built with the SDK (github.com/gdbos/gdbos/sdk).\n" +
			"Install pins the binary's SHA-256; grant a plugin to tenants with a PluginGrant resource (gdbos apply).",
	}
	cmd.AddCommand(newPluginInstallCmd(false), newPluginInstallCmd(true), newPluginRemoveCmd(), newPluginListCmd(), newPluginNewCmd())
	return cmd
}

const pluginFields = `id version title binary sha256 capabilities permissions namespace`

func newPluginInstallCmd(upgrade bool) *cobra.Command {
	var sha string
	var timeoutMs, concurrency int
	use, short, mutation := "install BINARY --sha256 HEX", "Install a plugin binary, pinning its SHA-256", "installPlugin"
	if upgrade {
		use, short, mutation = "upgrade BINARY --sha256 HEX", "Replace an installed plugin with a new binary", "upgradePlugin"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long: short + ". BINARY is a path on the server (the same on every replica); HEX is the\n" +
			"checksum the vendor published (sha256sum BINARY): a binary whose checksum differs is refused.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if sha == "" {
				return fmt.Errorf("--sha256 is required: the checksum the vendor published for %s", args[0])
			}
			abs, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			vars := map[string]any{"b": abs, "s": strings.ToLower(sha)}
			extra := ""
			if timeoutMs > 0 {
				vars["t"], extra = timeoutMs, extra+", timeoutMs: $t"
			}
			if concurrency > 0 {
				vars["c"], extra = concurrency, extra+", concurrency: $c"
			}
			decl := "$b:String!,$s:String!"
			if timeoutMs > 0 {
				decl += ",$t:Int"
			}
			if concurrency > 0 {
				decl += ",$c:Int"
			}
			var out map[string]map[string]any
			q := fmt.Sprintf(`mutation(%s){%s(binary:$b, sha256:$s%s){%s}}`, decl, mutation, extra, pluginFields)
			if err := newClient(cmd).do(cmd.Context(), q, vars, &out); err != nil {
				return err
			}
			p := out[mutation]
			fmt.Printf("plugin %s %s installed: %v; its fields live under %q in granting tenants' data APIs\n", p["id"], p["version"], p["capabilities"], p["namespace"])
			return nil
		},
	}
	cmd.Flags().StringVar(&sha, "sha256", "", "the binary's SHA-256 (hex), as the vendor published it")
	cmd.Flags().IntVar(&timeoutMs, "timeout-ms", 0, "per-call timeout in milliseconds (default 2000)")
	cmd.Flags().IntVar(&concurrency, "concurrency", 0, "calls in flight at once (default 64)")
	return cmd
}

func newPluginRemoveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove ID",
		Short: "Remove a plugin and every grant of it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := newClient(cmd).do(cmd.Context(), `mutation($id:String!){removePlugin(id:$id)}`, map[string]any{"id": args[0]}, nil); err != nil {
				return err
			}
			fmt.Printf("plugin %s removed\n", args[0])
			return nil
		},
	}
}

func newPluginListCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the installed plugins",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var out struct {
				Plugins []map[string]any `json:"plugins"`
			}
			if err := newClient(cmd).do(cmd.Context(), `{plugins{`+pluginFields+`}}`, nil, &out); err != nil {
				return err
			}
			if output != "" {
				return printValue(out.Plugins, output)
			}
			w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tVERSION\tCAPABILITIES\tSHA256\tBINARY")
			for _, p := range out.Plugins {
				fmt.Fprintf(w, "%s\t%s\t%v\t%.12s…\t%s\n", p["id"], p["version"], p["capabilities"], p["sha256"], p["binary"])
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "yaml or json")
	return cmd
}

var pluginID = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

func newPluginNewCmd() *cobra.Command {
	var dir, sdkDir string
	cmd := &cobra.Command{
		Use:   "new ID",
		Short: "Scaffold a plugin: main.go with one GraphQL field and a test with sdktest",
		Long: "Writes a new Go module in ./ID (or --dir): go.mod, main.go and main_test.go.\n" +
			"With --sdk pointing at a checkout's sdk/ folder, go.mod uses it (replace) and go.sum is copied from it,\n" +
			"so the plugin builds without fetching anything.",
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := args[0]
			if !pluginID.MatchString(id) || len(id) > 40 {
				return fmt.Errorf("plugin ID %q: use lowercase words joined by dashes (credit-score)", id)
			}
			if dir == "" {
				dir = id
			}
			files, err := scaffold(id, sdkDir)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			for name, body := range files {
				path := filepath.Join(dir, name)
				if _, err := os.Stat(path); err == nil {
					return fmt.Errorf("%s exists; not overwriting it", path)
				}
				if err := os.WriteFile(path, body, 0o644); err != nil {
					return err
				}
			}
			fmt.Printf("plugin %s scaffolded in %s: cd %s && go test ./... && CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o %s .\n", id, dir, dir, id)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "where to write the plugin (default ./ID)")
	cmd.Flags().StringVar(&sdkDir, "sdk", "", "path of a GDBOS checkout's sdk/ folder to build against")
	return cmd
}

// scaffold returns the files of a new plugin.
func scaffold(id, sdkDir string) (map[string][]byte, error) {
	ns := pluginNamespace(id)
	data := map[string]any{"ID": id, "Namespace": ns, "Type": strings.ToUpper(ns[:1]) + ns[1:], "SDK": "", "Go": "1.26.8"}
	files := map[string][]byte{}
	if sdkDir != "" {
		abs, err := filepath.Abs(sdkDir)
		if err != nil {
			return nil, err
		}
		sum, err := os.ReadFile(filepath.Join(abs, "go.sum"))
		if err != nil {
			return nil, fmt.Errorf("--sdk %s: %w (point it at the sdk/ folder of a GDBOS checkout)", sdkDir, err)
		}
		mod, err := os.ReadFile(filepath.Join(abs, "go.mod"))
		if err != nil {
			return nil, fmt.Errorf("--sdk %s: %w", sdkDir, err)
		}
		data["SDK"] = abs
		data["Requires"] = sdkRequires(string(mod))
		for _, line := range strings.Split(string(mod), "\n") {
			if v, ok := strings.CutPrefix(line, "go "); ok {
				data["Go"] = strings.TrimSpace(v)
			}
		}
		files["go.sum"] = sum
	}
	for name, tpl := range map[string]string{"go.mod": scaffoldMod, "main.go": scaffoldMain, "main_test.go": scaffoldTest} {
		var b bytes.Buffer
		if err := template.Must(template.New(name).Parse(tpl)).Execute(&b, data); err != nil {
			return nil, err
		}
		files[name] = b.Bytes()
	}
	return files, nil
}

// sdkRequires lists the modules the SDK requires ("path version"), which the new
// plugin's go.mod lists as indirect so that it builds without go mod tidy.
func sdkRequires(mod string) []string {
	var out []string
	inBlock := false
	for _, line := range strings.Split(mod, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "require (":
			inBlock = true
		case inBlock && line == ")":
			inBlock = false
		case inBlock && line != "":
			f := strings.Fields(line)
			if len(f) >= 2 {
				out = append(out, f[0]+" "+f[1])
			}
		case strings.HasPrefix(line, "require "):
			f := strings.Fields(line)
			if len(f) >= 3 {
				out = append(out, f[1]+" "+f[2])
			}
		}
	}
	return out
}

// pluginNamespace mirrors core/plugin.Namespace: credit-score → creditScore.
func pluginNamespace(id string) string {
	parts := strings.Split(id, "-")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

const scaffoldMod = `module example.com/{{.ID}}

go {{.Go}}

require github.com/gdbos/gdbos/sdk v0.1.0
{{if .Requires}}
require ({{range .Requires}}
	{{.}} // indirect{{end}}
)
{{end}}{{if .SDK}}
replace github.com/gdbos/gdbos/sdk => {{.SDK}}
{{end}}`

const scaffoldMain = `// Command {{.ID}} is a GDBOS plugin.
package main

import (
	"context"
	"fmt"

	"github.com/gdbos/gdbos/sdk"
)

// Plugin is everything the plugin offers; main serves it, the tests call it.
var Plugin = sdk.Plugin{
	Manifest: sdk.Manifest{ID: "{{.ID}}", Version: "0.1.0", Name: "{{.ID}}"},
	GraphQL: &sdk.GraphQLExtension{
		// Types are named with the namespace {{.Type}}; {{.Type}}Query holds the fields
		// that appear under {{.Namespace}} { … } in the tenants that grant the plugin.
		SDL: ` + "`" + `type {{.Type}}Query { hello(name: String!): String! }` + "`" + `,
		Resolvers: map[string]sdk.Resolver{
			"hello": func(_ context.Context, r sdk.FieldRequest) (any, error) {
				return fmt.Sprintf("hello %s, from tenant %s", r.Args["name"], r.Tenant), nil
			},
		},
	},
}

func main() { sdk.Serve(Plugin) }
`

const scaffoldTest = `package main

import (
	"testing"

	"github.com/gdbos/gdbos/sdk/sdktest"
)

func TestHello(t *testing.T) {
	p := sdktest.Serve(t, Plugin, sdktest.Host{Tenant: "230102"})
	got, err := p.Resolve("hello", map[string]any{"name": "Wang"})
	if err != nil {
		t.Fatal(err)
	}
	if got != "hello Wang, from tenant 230102" {
		t.Fatalf("hello = %q", got)
	}
}
`
