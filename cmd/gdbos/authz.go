package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newAuthzCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "authz", Short: "Ask the authorization layer"}
	var user, action, kind, tenantCode string
	explain := &cobra.Command{
		Use:   "explain --user U --action A --kind K --tenant T",
		Short: "Say whether a user may do an action, and which binding, role and rule decided it",
		RunE: func(cmd *cobra.Command, _ []string) error {
			var out struct {
				D struct {
					Allowed bool
					Reason  string
				} `json:"explainAccess"`
			}
			err := newClient(cmd).do(cmd.Context(), `query($u:String!,$a:String!,$k:String!,$t:String!){explainAccess(user:$u,action:$a,kind:$k,tenant:$t){allowed reason}}`,
				map[string]any{"u": user, "a": action, "k": kind, "t": tenantCode}, &out)
			if err != nil {
				return err
			}
			verdict := "DENIED"
			if out.D.Allowed {
				verdict = "ALLOWED"
			}
			fmt.Printf("%s: %s\n", verdict, out.D.Reason)
			return nil
		},
	}
	f := explain.Flags()
	f.StringVar(&user, "user", "", "user name")
	f.StringVar(&action, "action", "read", "read, write, delete or unmask")
	f.StringVar(&kind, "kind", "", "resource kind (Module, Role, …) or API area (tenants, users, audit, …)")
	f.StringVarP(&tenantCode, "tenant", "t", "", "tenant code")
	for _, name := range []string{"user", "kind", "tenant"} {
		_ = explain.MarkFlagRequired(name)
	}
	cmd.AddCommand(explain)
	return cmd
}
