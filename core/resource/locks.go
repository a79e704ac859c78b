package resource

import "github.com/gdbos/gdbos/core/apierr"

// checkLocked refuses obj when its spec gives a field locked by an ancestor layer a
// value other than the one in effect above it. Setting the locked value itself is
// allowed.
func checkLocked(obj *Object, ancestors []*layer) error {
	if len(ancestors) == 0 {
		return nil
	}
	above := mergeLayers(ancestors, false)
	owners := map[string]string{}
	for _, lp := range sortedKeys(above.locks) {
		if p, bad := violation(obj.Spec, above.spec, lp); bad {
			owners["/spec"+p], _ = above.lockOwner(lp)
		}
	}
	if len(owners) == 0 {
		return nil
	}
	fields := sortedKeys(owners)
	lockedBy := owners[fields[0]]
	e := apierr.New(apierr.Locked, "field %s is locked by tenant %s", fields[0], lockedBy)
	for _, f := range fields {
		e.Fields = append(e.Fields, apierr.FieldError{Path: f, Message: "locked by tenant " + owners[f]})
	}
	e.Details = map[string]any{"lockedBy": lockedBy, "fields": fields}
	return e
}

// violation walks the locked pointer lp through spec. The first value spec sets on
// the way that is not an object to merge into (or the value at lp itself) must
// equal the value in effect.
func violation(spec, effective map[string]any, lp string) (string, bool) {
	toks := splitPointer(lp)
	p := ""
	for i, tok := range toks {
		p = joinPointer(p, tok)
		v, ok := lookup(spec, p)
		if !ok {
			return "", false
		}
		if _, isObj := v.(map[string]any); isObj && i < len(toks)-1 {
			continue
		}
		want, ok := lookup(effective, p)
		return p, !ok || !equalValue(v, want)
	}
	return "", false
}
