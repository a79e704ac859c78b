package console

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

func TestHandlerHeaders(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET / = %d", rec.Code)
	}
	policy := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self';", "object-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(policy, want) {
			t.Errorf("CSP %q lacks %q", policy, want)
		}
	}
	if strings.Contains(policy, "unsafe-eval") || strings.Contains(policy, "script-src 'self' 'unsafe-inline'") {
		t.Errorf("CSP %q allows inline scripts or eval", policy)
	}
	if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("no nosniff")
	}
}

// Every HTML file loads scripts by src only, with no inline handlers.
func TestNoInlineScripts(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script(\s[^>]*)?>\s*[^<\s]|\son[a-z]+\s*=`)
	err := fs.WalkDir(static, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		raw, _ := static.ReadFile(path)
		if m := inline.Find(raw); m != nil {
			t.Errorf("%s has inline script: %q", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Both message files have the same keys, and every key the scripts name literally
// is in them.
func TestMessages(t *testing.T) {
	sub, _ := fs.Sub(static, "static")
	load := func(lang string) map[string]string {
		m, err := languageMessages(sub, lang)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	zh, en := load("zh-CN"), load("en")
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("en.json lacks %q", k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("zh-CN.json lacks %q", k)
		}
	}
	used := regexp.MustCompile(`\bt\("([a-zA-Z][a-zA-Z.-]*[a-zA-Z])"`)
	var missing []string
	_ = fs.WalkDir(static, "static/js", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, _ := static.ReadFile(path)
		for _, m := range used.FindAllSubmatch(raw, -1) {
			if _, ok := zh[string(m[1])]; !ok {
				missing = append(missing, path+": "+string(m[1]))
			}
		}
		return nil
	})
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("no message for %s", m)
	}
}

// The console fetches each language as one file, merged from its areas' files.
func TestMergedMessages(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/i18n/zh-CN.json", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("GET /i18n/zh-CN.json = %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var m map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil || m["signin.title"] == "" {
		t.Fatalf("merged messages: %v, signin.title = %q", err, m["signin.title"])
	}

	dup := fstest.MapFS{
		"i18n/en/a.json": {Data: []byte(`{"x.y":"1"}`)},
		"i18n/en/b.json": {Data: []byte(`{"x.y":"2"}`)},
	}
	if _, err := mergedMessages(dup); err == nil || !strings.Contains(err.Error(), `"x.y" is in both a.json and b.json`) {
		t.Errorf("a key in two files: %v", err)
	}
	bad := fstest.MapFS{"i18n/en/a.json": {Data: []byte(`{"x.y":`)}}
	if _, err := mergedMessages(bad); err == nil || !strings.Contains(err.Error(), "i18n/en/a.json") {
		t.Errorf("a broken file: %v", err)
	}
}
