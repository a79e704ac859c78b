package graph

import (
	"context"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/store"
)

func (g *Graph) identityTypes() (user, orgUnit, token, login *graphql.Object) {
	nn := graphql.NewNonNull
	str := graphql.String
	user = graphql.NewObject(graphql.ObjectConfig{
		Name: "User", Fields: graphql.Fields{
			"id":          {Type: nn(graphql.Int), Resolve: userField(func(u identity.User) any { return u.ID })},
			"username":    {Type: nn(str), Resolve: userField(func(u identity.User) any { return u.Username })},
			"displayName": {Type: nn(str), Resolve: userField(func(u identity.User) any { return u.DisplayName })},
			"homeTenant":  {Type: str, Resolve: userField(func(u identity.User) any { return nullable(u.HomeTenant) })},
			"phone": {Type: str, Description: "Personal data: masked unless the caller may unmask users at the user's home tenant.", Resolve: g.resolver(func(p graphql.ResolveParams) (any, error) {
				u := p.Source.(identity.User)
				v, err := g.maskedValue(p.Context, "User", "users", homeOf(u), "phone", u.Phone)
				return nullable(v), err
			})},
			"idNumber": {Type: str, Description: "Resident ID number (GB 11643). Personal data: masked unless the caller may unmask users at the user's home tenant.", Resolve: g.resolver(func(p graphql.ResolveParams) (any, error) {
				u := p.Source.(identity.User)
				v, err := g.maskedValue(p.Context, "User", "users", homeOf(u), "idNumber", u.IDNumber)
				return nullable(v), err
			})},
			"superadmin": {Type: nn(graphql.Boolean), Resolve: userField(func(u identity.User) any { return u.Superadmin })},
			"disabled":   {Type: nn(graphql.Boolean), Resolve: userField(func(u identity.User) any { return u.Disabled })},
			"createdAt":  {Type: graphql.DateTime, Resolve: userField(func(u identity.User) any { return u.CreatedAt })},
		},
	})
	orgUnit = graphql.NewObject(graphql.ObjectConfig{
		Name: "OrgUnit", Description: "A department or street under a tenant.", Fields: graphql.Fields{
			"id":     {Type: nn(graphql.Int), Resolve: unitField(func(u identity.OrgUnit) any { return u.ID })},
			"tenant": {Type: nn(str), Resolve: unitField(func(u identity.OrgUnit) any { return u.Tenant })},
			"code":   {Type: nn(str), Resolve: unitField(func(u identity.OrgUnit) any { return u.Code })},
			"name":   {Type: nn(str), Resolve: unitField(func(u identity.OrgUnit) any { return u.Name })},
			"kind":   {Type: nn(str), Resolve: unitField(func(u identity.OrgUnit) any { return u.Kind })},
			"parent": {Type: str, Description: "Code of the parent unit.", Resolve: unitField(func(u identity.OrgUnit) any { return nullable(u.ParentCode) })},
		},
	})
	token = graphql.NewObject(graphql.ObjectConfig{
		Name: "APIToken", Description: "A credential for programs; its secret is shown only when created.", Fields: graphql.Fields{
			"id":        {Type: nn(graphql.Int), Resolve: tokenField(func(t identity.APIToken) any { return t.ID })},
			"name":      {Type: nn(str), Resolve: tokenField(func(t identity.APIToken) any { return t.Name })},
			"tenant":    {Type: str, Resolve: tokenField(func(t identity.APIToken) any { return nullable(t.Tenant) })},
			"scopes":    {Type: nn(graphql.NewList(nn(str))), Resolve: tokenField(func(t identity.APIToken) any { return nonNilStrings(t.Scopes) })},
			"createdAt": {Type: graphql.DateTime, Resolve: tokenField(func(t identity.APIToken) any { return t.CreatedAt })},
			"expiresAt": {Type: graphql.DateTime, Resolve: tokenField(func(t identity.APIToken) any { return timePtr(t.ExpiresAt) })},
			"revoked":   {Type: nn(graphql.Boolean), Resolve: tokenField(func(t identity.APIToken) any { return t.RevokedAt != nil })},
		},
	})
	login = graphql.NewObject(graphql.ObjectConfig{
		Name: "LoginPayload", Fields: graphql.Fields{
			"token":     {Type: nn(str), Description: "Send as Authorization: Bearer <token>."},
			"expiresAt": {Type: nn(graphql.DateTime)},
			"user":      {Type: nn(user)},
		},
	})
	return
}

func userField(fn func(identity.User) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(identity.User)), nil }
}

func unitField(fn func(identity.OrgUnit) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(identity.OrgUnit)), nil }
}

func tokenField(fn func(identity.APIToken) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(identity.APIToken)), nil }
}

func timePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func (g *Graph) identityFields(q, m graphql.Fields) {
	t := g.types
	nn := graphql.NewNonNull
	str := graphql.String
	m["login"] = &graphql.Field{
		Type: nn(t.login), Description: "Sign in with a password; the token goes in Authorization: Bearer.",
		Args: graphql.FieldConfigArgument{"username": {Type: nn(str)}, "password": {Type: nn(str)}},
		Resolve: g.resolver(func(p graphql.ResolveParams) (any, error) {
			tok, exp, u, err := g.svc.Identity.Login(p.Context, strArg(p.Args, "username"), strArg(p.Args, "password"), CallerFrom(p.Context).IP)
			if err != nil {
				return nil, err
			}
			return map[string]any{"token": tok, "expiresAt": exp, "user": u}, nil
		}),
	}
	m["logout"] = &graphql.Field{
		Type: nn(graphql.Boolean), Description: "End this session.",
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			return true, g.svc.Identity.Logout(p.Context, c.Token)
		}),
	}
	q["me"] = &graphql.Field{
		Type: t.user, Description: "The signed-in user.",
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			return g.svc.Identity.GetUser(p.Context, c.Principal.Username)
		}),
	}
	q["users"] = &graphql.Field{
		Type: g.connectionOf(t.user), Description: "Users whose home tenant the caller may read users at, filtered in SQL by role bindings and row policies; with tenant, only those whose home tenant is it or below it.",
		Args: pageArgs(graphql.FieldConfigArgument{"search": {Type: str}, "tenant": {Type: str}}),
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			first, err := firstArg(p.Args)
			if err != nil {
				return nil, err
			}
			after, err := intCursor(p.Args)
			if err != nil {
				return nil, err
			}
			where, none, err := g.userRowFilter(p.Context)
			if err != nil {
				return nil, err
			}
			if none {
				return &conn{}, nil
			}
			if tc := strArg(p.Args, "tenant"); tc != "" {
				tn, ok := g.svc.Tenants.Get(tc)
				if !ok {
					return nil, apierr.Invalid("invalid user query", []apierr.FieldError{{Path: "tenant", Message: "no tenant with this code"}})
				}
				frag, args := pathPrefixes("home_path", []string{tn.Path})
				where = append(where, store.Where(frag, args))
			}
			users, more, total, err := g.svc.Identity.QueryUsers(p.Context, identity.UserQuery{
				Search: strArg(p.Args, "search"), First: first, AfterID: after, Where: where,
				SkipCount: !selects(p, "totalCount"),
			})
			if err != nil {
				return nil, err
			}
			c := &conn{hasNext: more, total: total}
			for _, u := range users {
				c.nodes = append(c.nodes, u)
				c.cursors = append(c.cursors, itoa(u.ID))
				c.endCursor = itoa(u.ID)
			}
			return c, nil
		}),
	}
	q["user"] = &graphql.Field{
		Type: t.user, Args: graphql.FieldConfigArgument{"username": {Type: nn(str)}},
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			return g.userFor(p.Context, strArg(p.Args, "username"), "read")
		}),
	}
	userInput := graphql.NewInputObject(graphql.InputObjectConfig{
		Name: "UserInput", Fields: graphql.InputObjectConfigFieldMap{
			"username": {Type: nn(str)}, "displayName": {Type: str},
			"password": {Type: nn(str)}, "homeTenant": {Type: nn(str)},
			"phone": {Type: str, Description: "Mainland mobile number."}, "idNumber": {Type: str, Description: "Resident ID number (GB 11643)."},
		},
	})
	m["createUser"] = &graphql.Field{
		Type: nn(t.user), Args: graphql.FieldConfigArgument{"input": {Type: nn(userInput)}},
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			in := p.Args["input"].(map[string]any)
			home := strArg(in, "homeTenant")
			if _, ok := g.svc.Tenants.Get(home); !ok {
				return nil, apierr.Invalid("invalid user", []apierr.FieldError{{Path: "input.homeTenant", Message: "no tenant with this code"}})
			}
			if err := g.Authorize(p.Context, home, "users", "write"); err != nil {
				return nil, err
			}
			return g.svc.Identity.CreateUser(p.Context, c.Principal.Username, identity.UserInput{
				Username: strArg(in, "username"), DisplayName: strArg(in, "displayName"),
				Password: strArg(in, "password"), HomeTenant: home,
				Phone: strArg(in, "phone"), IDNumber: strArg(in, "idNumber"),
			})
		}),
	}
	m["setPassword"] = &graphql.Field{
		Type: nn(graphql.Boolean), Description: "Set a user's password; their sessions end.",
		Args: graphql.FieldConfigArgument{"username": {Type: nn(str)}, "password": {Type: nn(str)}},
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			name := strArg(p.Args, "username")
			if name != c.Principal.Username {
				if _, err := g.userFor(p.Context, name, "write"); err != nil {
					return nil, err
				}
			}
			return true, g.svc.Identity.SetPassword(p.Context, c.Principal.Username, name, strArg(p.Args, "password"))
		}),
	}
	m["setUserDisabled"] = &graphql.Field{
		Type: nn(graphql.Boolean), Args: graphql.FieldConfigArgument{"username": {Type: nn(str)}, "disabled": {Type: nn(graphql.Boolean)}},
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			u, err := g.userFor(p.Context, strArg(p.Args, "username"), "write")
			if err != nil {
				return nil, err
			}
			return true, g.svc.Identity.SetDisabled(p.Context, c.Principal.Username, u.Username, boolArg(p.Args, "disabled"))
		}),
	}
	g.orgUnitFields(q, m)
	g.tokenFields(q, m)
	g.peopleFields(q, m)
}

// userFor reads a user the caller may act on: action on users at the user's home
// tenant, and no rows policy hiding the record.
func (g *Graph) userFor(ctx context.Context, username, action string) (identity.User, error) {
	u, err := g.svc.Identity.GetUser(ctx, username)
	if err != nil {
		return identity.User{}, err
	}
	if err := g.Authorize(ctx, homeOf(u), "users", action); err != nil {
		return identity.User{}, err
	}
	if err := g.allowUser(ctx, u); err != nil {
		return identity.User{}, err
	}
	return u, nil
}

// homeOf is the tenant at which a user is administered; users without one belong to
// whoever administers every root.
func homeOf(u identity.User) string {
	if u.HomeTenant == "" {
		return "*"
	}
	return u.HomeTenant
}
