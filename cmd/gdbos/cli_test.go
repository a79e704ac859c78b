package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/store/storetest"
)

// cli runs gdbos commands in-process against one server, as one user with one
// credentials file.
type cli struct {
	server string
	config string
}

func newCLI(t *testing.T, server string) *cli {
	t.Helper()
	t.Setenv("GDBOS_SERVER", "")
	t.Setenv("GDBOS_TOKEN", "")
	t.Setenv("GDBOS_PASSWORD", "")
	return &cli{server: server, config: filepath.Join(t.TempDir(), "credentials.json")}
}

// run executes gdbos with args and returns what it printed on standard output.
// Commands print with fmt to os.Stdout, so it is swapped for a file meanwhile;
// tests using it must not run in parallel.
func (c *cli) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	t.Setenv("GDBOS_CONFIG", c.config)
	f, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	runErr := func() error {
		old := os.Stdout
		os.Stdout = f
		defer func() { os.Stdout = old }()
		root := newRoot()
		root.SetArgs(append([]string{"--server", c.server}, args...))
		return root.ExecuteContext(t.Context())
	}()
	out, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(out), runErr
}

// step is one command of a scenario and what it must print or fail with.
type step struct {
	name    string
	env     map[string]string
	args    []string
	want    []string // fragments of standard output
	notWant []string // fragments standard output must not hold
	code    int      // exitCode of the error; 0: the command succeeds
	errWant []string // fragments of the error message
	check   func(t *testing.T, out string)
}

// runSteps runs steps in order and stops at the first that fails: later steps
// build on the state earlier ones leave.
func runSteps(t *testing.T, c *cli, steps []step) {
	t.Helper()
	for _, s := range steps {
		ok := t.Run(s.name, func(t *testing.T) {
			for k, v := range s.env {
				t.Setenv(k, v)
			}
			out, err := c.run(t, s.args...)
			t.Logf("gdbos %s\n%s", strings.Join(s.args, " "), out)
			switch {
			case s.code == 0 && err != nil:
				t.Fatalf("gdbos %s: %v\nstdout:\n%s", strings.Join(s.args, " "), err, out)
			case s.code != 0 && err == nil:
				t.Fatalf("gdbos %s succeeded, want exit code %d\nstdout:\n%s", strings.Join(s.args, " "), s.code, out)
			case s.code != 0 && exitCode(err) != s.code:
				t.Fatalf("gdbos %s: exit code %d, want %d: %v", strings.Join(s.args, " "), exitCode(err), s.code, err)
			}
			for _, w := range s.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range s.notWant {
				if strings.Contains(out, w) {
					t.Errorf("stdout holds %q:\n%s", w, out)
				}
			}
			for _, w := range s.errWant {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			if err != nil {
				t.Logf("error: %v", err)
			}
			if s.check != nil {
				s.check(t, out)
			}
		})
		if !ok {
			t.FailNow()
		}
	}
}

// TestCLITour follows the README's five-minute tour, then the rest of the commands.
func TestCLITour(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		c := newCLI(t, s.URL)
		dir := t.TempDir()
		changed := filepath.Join(dir, "changed.yaml")
		writeFile(t, changed, strings.Replace(readFile(t, "../../examples/harbin/20-modules.yaml"), "onlineRateTarget: 0.8", "onlineRateTarget: 0.9", 1))
		backup := filepath.Join(dir, "backup.yaml")
		admin := map[string]string{"GDBOS_PASSWORD": kerneltest.AdminPassword}
		var token string

		runSteps(t, c, []step{
			{name: "not signed in", args: []string{"get", "tenants", "230100"}, code: 3, errWant: []string{string(apierr.Unauthenticated)}},
			{name: "wrong password", env: map[string]string{"GDBOS_PASSWORD": "not-the-password"}, args: []string{"login", "-u", "admin"}, code: 3},
			{name: "unknown user", env: admin, args: []string{"login", "-u", "nobody"}, code: 3},
			{name: "login", env: admin, args: []string{"login", "-u", "admin"}, want: []string{"signed in to " + s.URL + " as admin until "}, check: func(t *testing.T, _ string) {
				var cr credentials
				mustJSON(t, readFile(t, c.config), &cr)
				if cr.Server != s.URL || cr.Token == "" {
					t.Fatalf("saved credentials %+v, want the server and a token", cr)
				}
			}},
			{name: "tenants", args: []string{"get", "tenants", "230100"}, want: []string{"230100", "哈尔滨市", "230102", "道里区"}, check: func(t *testing.T, out string) {
				lines := strings.Split(strings.TrimSpace(out), "\n")
				if len(lines) != 2+18 || !strings.HasPrefix(lines[0], "230100 哈尔滨市") || !strings.HasPrefix(lines[1], "CODE") {
					t.Errorf("want 230100, a header and 18 children:\n%s", out)
				}
			}},
			{name: "tenants as json", args: []string{"get", "tenants", "230100", "-o", "json"}, check: func(t *testing.T, out string) {
				var v struct{ Children []struct{ Code, Name string } }
				mustJSON(t, out, &v)
				if len(v.Children) != 18 {
					t.Errorf("%d children, want 18", len(v.Children))
				}
			}},
			{name: "the superadmin only appoints", args: []string{"apply", "-f", "../../examples/harbin/", "--dry-run"}, code: 3,
				errWant: []string{"admin may not write", "FORBIDDEN"}},
			{name: "appoint needs all three", args: []string{"appoint", "--system", "zhang.sys"}, code: 1, errWant: []string{"--security, --audit missing"}},
			{name: "appoint", env: map[string]string{"GDBOS_NEW_PASSWORD": "first-day-2020"}, args: []string{"appoint", "--system", "zhang.sys", "--security", "li.sec", "--audit", "wang.audit"},
				want: []string{"user li.sec created", "zhang.sys is system-admin at 230000", "li.sec is security-admin at 230000", "wang.audit is audit-admin at 230000"}},
			{name: "the superadmin is retired", args: []string{"query", "{ me { username } }"}, code: 3},
			{name: "the security administrator signs in", env: map[string]string{"GDBOS_PASSWORD": "first-day-2020"}, args: []string{"login", "-u", "li.sec"}, want: []string{"as li.sec"}},
			{name: "dry run", args: []string{"apply", "-f", "../../examples/harbin/", "--dry-run"},
				want: []string{"Module/230100/catalog created (dry run)", "Module/230102/catalog created (dry run)", "Role/230000/config-admin created (dry run)", "/spec/enabled"}},
			{name: "dry run wrote nothing", args: []string{"get", "Module", "catalog", "--tenant", "230100"}, code: 5, errWant: []string{string(apierr.NotFound)}},
			{name: "apply", args: []string{"apply", "-f", "../../examples/harbin/"},
				want: []string{"Module/230100/catalog created", "Module/230102/catalog created", "RoleBinding/230102/daoli-config-admins created"}, notWant: []string{"dry run"}},
			{name: "apply again", args: []string{"apply", "-f", "../../examples/harbin/"}, check: func(t *testing.T, out string) {
				lines := strings.Split(strings.TrimSpace(out), "\n")
				if len(lines) != 5 {
					t.Errorf("%d lines, want 5 (one per resource):\n%s", len(lines), out)
				}
				for _, l := range lines {
					if !strings.HasSuffix(l, " unchanged") {
						t.Errorf("line %q is not unchanged", l)
					}
				}
			}},
			{name: "get", args: []string{"get", "Module", "catalog", "--tenant", "230100"}, want: []string{"guideTemplate: harbin-standard", "- /enabled"}},
			{name: "list", args: []string{"get", "Module", "--tenant", "230100", "--subtree"}, want: []string{"Module  230100  catalog", "Module  230102  catalog"}},
			{name: "effective", args: []string{"get", "Module", "catalog", "--tenant", "230102", "--effective", "-o", "json"}, check: func(t *testing.T, out string) {
				var e struct {
					Spec struct {
						Enabled  bool
						Settings map[string]any
					}
					Locks []struct{ Path, Tenant string }
				}
				mustJSON(t, out, &e)
				if !e.Spec.Enabled || e.Spec.Settings["guideTemplate"] != "daoli-with-map" || e.Spec.Settings["onlineRateTarget"] != 0.8 {
					t.Errorf("effective spec %+v, want enabled, daoli-with-map from 230102 and 0.8 from 230100", e.Spec)
				}
				if len(e.Locks) != 1 || e.Locks[0].Tenant != "230100" {
					t.Errorf("locks %+v, want one by 230100", e.Locks)
				}
			}},
			{name: "explain", args: []string{"explain", "Module", "catalog", "--tenant", "230102"}, check: func(t *testing.T, out string) {
				for _, l := range strings.Split(out, "\n") {
					if strings.HasPrefix(l, "/spec/enabled ") && !strings.Contains(l, "from 230100, locked") {
						t.Errorf("/enabled is %q, want from 230100, locked", l)
					}
				}
				if !strings.Contains(out, "from 230100, locked") {
					t.Errorf("no field from 230100, locked:\n%s", out)
				}
			}},
			{name: "locked", args: []string{"apply", "-f", "../../examples/locked-override.yaml"}, code: 4,
				errWant: []string{string(apierr.Locked), "/spec/enabled", "230100"}},
			{name: "locked wrote nothing", args: []string{"get", "Module", "catalog", "--tenant", "230102"}, want: []string{"guideTemplate: daoli-with-map"}, notWant: []string{"enabled: false"}},
			{name: "change", args: []string{"apply", "-f", changed}, want: []string{"Module/230100/catalog updated", "Module/230102/catalog unchanged"}},
			{name: "history", args: []string{"history", "Module", "catalog", "--tenant", "230100"}, check: func(t *testing.T, out string) {
				lines := strings.Split(strings.TrimSpace(out), "\n")
				if len(lines) != 3 || !strings.HasPrefix(lines[1], "2 ") || !strings.HasPrefix(lines[2], "1 ") || !strings.Contains(out, "li.sec") {
					t.Errorf("history, want versions 2 and 1 by li.sec, newest first:\n%s", out)
				}
			}},
			{name: "diff", args: []string{"diff", "Module", "catalog", "--tenant", "230100", "--from", "1", "--to", "2"},
				want: []string{"onlineRateTarget: 0.8 → 0.9"}, check: func(t *testing.T, out string) {
					if n := strings.Count(strings.TrimSpace(out), "\n") + 1; n != 1 {
						t.Errorf("%d changes, want 1:\n%s", n, out)
					}
				}},
			{name: "diff of a missing version", args: []string{"diff", "Module", "catalog", "--tenant", "230100", "--from", "1", "--to", "9"}, code: 5},
			{name: "revert", args: []string{"revert", "Module", "catalog", "--tenant", "230100", "--to-version", "1"},
				want: []string{"Module/230100/catalog reverted to version 1 as version 3"}},
			{name: "reverted", args: []string{"get", "Module", "catalog", "--tenant", "230100", "-o", "json"}, check: func(t *testing.T, out string) {
				var r struct {
					Version int
					Spec    struct{ Settings map[string]any }
				}
				mustJSON(t, out, &r)
				if r.Version != 3 || r.Spec.Settings["onlineRateTarget"] != 0.8 {
					t.Errorf("got version %d with %v, want version 3 with 0.8", r.Version, r.Spec.Settings)
				}
			}},
			{name: "delete", args: []string{"delete", "Module", "catalog", "--tenant", "230102"}, want: []string{"Module/230102/catalog deleted"}},
			{name: "deleted", args: []string{"get", "Module", "catalog", "--tenant", "230102"}, code: 5},
			{name: "still inherited", args: []string{"get", "Module", "catalog", "--tenant", "230102", "--effective", "-o", "json"},
				want: []string{`"guideTemplate": "harbin-standard"`}},
			{name: "delete again", args: []string{"delete", "Module", "catalog", "--tenant", "230102"}, code: 5},
			{name: "export", args: []string{"export", "--tenant", "230000", "--subtree", "-f", backup}},
			{name: "only the auditor reads the audit log", args: []string{"audit", "verify"}, code: 3},
			{name: "the audit administrator signs in", env: map[string]string{"GDBOS_PASSWORD": "first-day-2020"}, args: []string{"login", "-u", "wang.audit"}, check: func(t *testing.T, _ string) {
				var cr credentials
				mustJSON(t, readFile(t, c.config), &cr)
				token = cr.Token
			}},
			{name: "audit verify", args: []string{"audit", "verify"}, want: []string{"audit log intact"}},
			{name: "audit log", args: []string{"audit", "log", "--first", "5"}, want: []string{"li.sec"}},
			{name: "query", args: []string{"query", "{ me { username } }"}, want: []string{`"username": "wang.audit"`}},
			{name: "query with variables", args: []string{"query", `query($c:String!){tenant(code:$c){name}}`, "--variables", `{"c":"230102"}`}, want: []string{"道里区"}},
			{name: "bad query", args: []string{"query", "{ nosuchfield }"}, code: 4, errWant: []string{"nosuchfield"}},
			{name: "logout", args: []string{"logout"}, check: func(t *testing.T, _ string) {
				var cr credentials
				mustJSON(t, readFile(t, c.config), &cr)
				if cr.Token != "" || cr.Server != s.URL {
					t.Errorf("credentials after logout: %+v, want the server and no token", cr)
				}
			}},
			{name: "signed out", args: []string{"get", "Module", "catalog", "--tenant", "230100"}, code: 3, errWant: []string{string(apierr.Unauthenticated)}},
			{name: "logout again", args: []string{"logout"}, code: 1, errWant: []string{"not signed in"}},
		})

		t.Run("token revoked by logout", func(t *testing.T) {
			t.Setenv("GDBOS_TOKEN", token)
			if _, err := c.run(t, "query", "{ me { username } }"); exitCode(err) != 3 {
				t.Fatalf("old token after logout: %v, want UNAUTHENTICATED", err)
			}
		})

		// The export re-applies to a fresh server and exports the same bytes.
		o := kerneltest.Options{}
		if s.DatabaseURL != "" {
			o.DatabaseURL = storetest.NewPostgresDB(t, os.Getenv(storetest.EnvPostgres))
		}
		s2 := kerneltest.Start(t, o)
		s2.Appoint(t)
		c2 := newCLI(t, s2.URL)
		again := filepath.Join(dir, "again.yaml")
		runSteps(t, c2, []step{
			{name: "login to the second server", env: admin, args: []string{"login", "-u", kerneltest.SecurityAdmin}},
			{name: "apply the export", args: []string{"apply", "-f", backup}, want: []string{"Role/230000/config-admin created", "Module/230100/catalog created"}, notWant: []string{"updated"}},
			{name: "export again", args: []string{"export", "--tenant", "230000", "--subtree", "-f", again}},
		})
		a, b := readFile(t, backup), readFile(t, again)
		if a != b {
			t.Errorf("export after re-apply differs:\n--- first server\n%s\n--- second server\n%s", a, b)
		}
		for _, w := range []string{"230100", "harbin-standard", "tenant-viewer"} {
			if !strings.Contains(a, w) {
				t.Errorf("export lacks %q:\n%s", w, a)
			}
		}
		if strings.Contains(a, "daoli-with-map") {
			t.Errorf("export holds the deleted 230102 layer:\n%s", a)
		}
	})
}

// TestCLIManifestFolder applies a folder mixing YAML with leading and trailing
// separators, a comment-only file, JSON and files that are not manifests.
func TestCLIManifestFolder(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	s.Appoint(t)
	c := newCLI(t, s.URL)
	dir := t.TempDir()
	role := func(name string) string {
		return "apiVersion: gdbos.io/v1\nkind: Role\nmetadata:\n  tenant: \"230000\"\n  name: " + name + "\nspec:\n  permissions: []"
	}
	writeFile(t, filepath.Join(dir, "a.yaml"), "---\n# nothing here yet\n")
	writeFile(t, filepath.Join(dir, "b.yaml"), "---\n"+role("r1")+"\n---\n")
	writeFile(t, filepath.Join(dir, "sub", "c.json"), `{"apiVersion":"gdbos.io/v1","kind":"Role","metadata":{"tenant":"230000","name":"r2"},`+
		`"spec":{"permissions":[{"resources":["tenants"],"actions":["read"]}]}}`)
	writeFile(t, filepath.Join(dir, "sub", "d.yml"), role("r3")) // no final newline
	writeFile(t, filepath.Join(dir, "notes.txt"), "not: [a manifest")
	runSteps(t, c, []step{
		{name: "login", env: map[string]string{"GDBOS_PASSWORD": kerneltest.AdminPassword}, args: []string{"login", "-u", kerneltest.SecurityAdmin}},
		{name: "apply", args: []string{"apply", "-f", dir}, want: []string{"Role/230000/r1 created", "Role/230000/r2 created", "Role/230000/r3 created"}},
		{name: "list", args: []string{"get", "Role", "--tenant", "230000", "-o", "json"}, check: func(t *testing.T, out string) {
			var rows []struct{ Name string }
			mustJSON(t, out, &rows)
			var applied []string
			for _, r := range rows {
				if strings.HasPrefix(r.Name, "r") {
					applied = append(applied, r.Name)
				}
			}
			if len(applied) != 3 { // besides the three administrators' built-in roles
				t.Errorf("%d applied roles, want 3: %+v", len(applied), rows)
			}
		}},
		{name: "invalid", args: []string{"apply", "-f", filepath.Join(dir, "notes.txt")}, code: 4},
	})
}

// TestCLICredentials checks that the saved token goes only to the server that issued
// it, and that a stale one does not stop a new sign-in.
func TestCLICredentials(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	var got []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{"me":null}}`))
	}))
	t.Cleanup(other.Close)

	c := newCLI(t, s.URL)
	writeFile(t, c.config, `{"server":"`+s.URL+`","token":"stale"}`)
	t.Setenv("GDBOS_PASSWORD", kerneltest.AdminPassword)
	if _, err := c.run(t, "query", "{ me { username } }"); exitCode(err) != 3 {
		t.Fatalf("stale token: %v, want UNAUTHENTICATED", err)
	}
	if out, err := c.run(t, "login"); err != nil {
		t.Fatalf("login with a stale saved token: %v", err)
	} else if !strings.Contains(out, "signed in") {
		t.Errorf("login printed %q", out)
	}

	tests := []struct {
		name, server, envServer, envToken string
		wantAuth                          bool
	}{
		{name: "saved server", server: s.URL, wantAuth: true},
		{name: "saved server with a slash", server: s.URL + "/", wantAuth: true},
		{name: "saved server from the environment", envServer: s.URL, wantAuth: true},
		{name: "--server elsewhere", server: other.URL},
		{name: "$GDBOS_SERVER elsewhere", envServer: other.URL},
		{name: "$GDBOS_TOKEN given for elsewhere", server: other.URL, envToken: "explicit", wantAuth: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.server = tt.server
			t.Setenv("GDBOS_SERVER", tt.envServer)
			t.Setenv("GDBOS_TOKEN", tt.envToken)
			got = nil
			out, err := c.run(t, "query", "{ me { username } }")
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(tt.server+tt.envServer, other.URL) {
				if len(got) != 1 || (got[0] != "") != tt.wantAuth {
					t.Errorf("Authorization sent to the other server: %q, want a token: %v", got, tt.wantAuth)
				}
				return
			}
			if !strings.Contains(out, `"username": "admin"`) {
				t.Errorf("got %s, want admin", out)
			}
		})
	}
}

// TestCLIUnreachable checks that a command without a server fails plainly.
func TestCLIUnreachable(t *testing.T) {
	c := newCLI(t, "http://127.0.0.1:1")
	_, err := c.run(t, "get", "tenants")
	if err == nil || !strings.Contains(err.Error(), "cannot reach http://127.0.0.1:1") || exitCode(err) != 1 {
		t.Fatalf("err = %v, want cannot reach with exit code 1", err)
	}
}

func TestReadManifests(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"b/2-nested.yml":      "kind: Nested\n",
		"b/c/3-deeper.yaml":   "kind: Deeper\n",
		"1-top.yaml":          "kind: Top\n",
		"4-data.json":         `{"kind":"JSON"}`,
		"5-upper.YAML":        "kind: Upper\n",
		"notes.txt":           "kind: NotAManifest\n",
		"README.md":           "# kind: NotAManifest\n",
		"b/yaml":              "kind: NoExtension\n",
		"b/folder.yaml/x.txt": "kind: InAFolderNamedYaml\n",
	}
	for name, body := range files {
		writeFile(t, filepath.Join(dir, name), body)
	}
	single := filepath.Join(t.TempDir(), "single.txt")
	writeFile(t, single, "kind: Single\n")

	tests := []struct {
		name    string
		paths   []string
		want    []string // documents, in order
		wantErr func(error) bool
	}{
		{name: "folder", paths: []string{dir}, want: []string{"kind: Top\n", `{"kind":"JSON"}`, "kind: Upper\n", "kind: Nested\n", "kind: Deeper\n"}},
		{name: "subfolder", paths: []string{filepath.Join(dir, "b")}, want: []string{"kind: Nested\n", "kind: Deeper\n"}},
		{name: "a named file whatever its extension", paths: []string{single, filepath.Join(dir, "b", "c")}, want: []string{"kind: Single\n", "kind: Deeper\n"}},
		{name: "missing", paths: []string{filepath.Join(dir, "nope")}, wantErr: func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
		{name: "missing after a good one", paths: []string{dir, filepath.Join(dir, "nope.yaml")}, wantErr: func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
		{name: "no manifests", paths: []string{filepath.Join(dir, "b", "folder.yaml")}, wantErr: func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "no .yaml, .yml or .json files")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readManifests(tt.paths)
			if tt.wantErr != nil {
				if !tt.wantErr(err) {
					t.Fatalf("err = %v (got %q)", err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.Join(tt.want, "\n---\n"); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestReadManifestsStdin(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdin
	os.Stdin = r
	t.Cleanup(func() { os.Stdin = old; r.Close() })
	go func() { w.WriteString("kind: FromStdin\n"); w.Close() }()
	got, err := readManifests([]string{"-"})
	if err != nil || got != "kind: FromStdin\n" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.NewDecoder(bytes.NewReader([]byte(s))).Decode(v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
}
