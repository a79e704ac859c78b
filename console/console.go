// Package console is the administrators' web console, embedded in the binary so that
// it works on intranets without a CDN. It speaks the public GraphQL API like any
// other client.
package console

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"
)

//go:embed static
var static embed.FS

// csp allows scripts from the binary only: no inline script, no eval. GraphiQL's
// stylesheet embeds its fonts and icons as data: URLs and React sets inline styles,
// hence the three exceptions, none of which runs code.
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// Handler serves the console's files.
func Handler() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	messages, err := mergedMessages(sub)
	if err != nil {
		panic(err) // TestMessages refuses such a tree before it can be built into a release
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if raw, ok := messages[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(raw))
			return
		}
		files.ServeHTTP(w, r)
	})
}

// mergedMessages answers /i18n/<lang>.json with the keys of every file in
// i18n/<lang>/, one file per area of the console, so that pages written side by side
// do not share a message file. A key in two files of a language is an error.
func mergedMessages(root fs.FS) (map[string][]byte, error) {
	langs, err := fs.ReadDir(root, "i18n")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, l := range langs {
		if !l.IsDir() {
			continue
		}
		m, err := languageMessages(root, l.Name())
		if err != nil {
			return nil, err
		}
		raw, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		out["/i18n/"+l.Name()+".json"] = raw
	}
	return out, nil
}

// languageMessages reads every i18n/<lang>/*.json into one map.
func languageMessages(root fs.FS, lang string) (map[string]string, error) {
	dir := path.Join("i18n", lang)
	files, err := fs.ReadDir(root, dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for _, f := range files {
		if !f.IsDir() && strings.HasSuffix(f.Name(), ".json") {
			names = append(names, f.Name())
		}
	}
	sort.Strings(names)
	m := map[string]string{}
	from := map[string]string{}
	for _, name := range names {
		raw, err := fs.ReadFile(root, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		var part map[string]string
		if err := json.Unmarshal(raw, &part); err != nil {
			return nil, fmt.Errorf("%s/%s: %w", dir, name, err)
		}
		for k, v := range part {
			if prev, dup := from[k]; dup {
				return nil, fmt.Errorf("%s: key %q is in both %s and %s", dir, k, prev, name)
			}
			m[k], from[k] = v, name
		}
	}
	return m, nil
}
