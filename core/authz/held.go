package authz

// Held lists every permission user holds through any binding, at any tenant, for
// checks that look at a person's duties as a whole (separation of duties).
func (a *Authorizer) Held(user string) []Permission {
	st := a.state.Load()
	var out []Permission
	seen := map[Permission]bool{}
	for _, grants := range st.idx.users[user] {
		for _, g := range grants {
			for on, n := range st.idx.ons {
				for ai, act := range actions {
					p := Permission{On: on, Action: act}
					if g.perms.has(n*len(actions)+ai) && !seen[p] {
						seen[p] = true
						out = append(out, p)
					}
				}
			}
		}
	}
	return out
}
