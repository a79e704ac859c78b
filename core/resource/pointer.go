package resource

import (
	"strconv"
	"strings"
)

// validPointer reports whether p is a JSON pointer (RFC 6901) naming something
// below the document root.
func validPointer(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '~' && (i+1 == len(p) || (p[i+1] != '0' && p[i+1] != '1')) {
			return false
		}
	}
	return true
}

func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	toks := strings.Split(p[1:], "/")
	for i, t := range toks {
		if strings.IndexByte(t, '~') >= 0 {
			toks[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(t)
		}
	}
	return toks
}

var tokenEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func joinPointer(base, token string) string {
	if strings.ContainsAny(token, "~/") {
		token = tokenEscaper.Replace(token)
	}
	return base + "/" + token
}

// lookup returns the value at pointer p in v.
func lookup(v any, p string) (any, bool) {
	for _, tok := range splitPointer(p) {
		switch c := v.(type) {
		case map[string]any:
			next, ok := c[tok]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) || strconv.Itoa(i) != tok {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// within reports whether pointer p is at or below pointer base.
func within(p, base string) bool {
	return p == base || strings.HasPrefix(p, base+"/")
}
