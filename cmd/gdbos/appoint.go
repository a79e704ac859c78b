package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gdbos/gdbos/core/apierr"
)

// appointment is one of the three administrators and the built-in role they take.
type appointment struct{ flag, role, user string }

func newAppointCmd() *cobra.Command {
	var tenant string
	duties := []*appointment{
		{flag: "system", role: "system-admin"},
		{flag: "security", role: "security-admin"},
		{flag: "audit", role: "audit-admin"},
	}
	cmd := &cobra.Command{
		Use:   "appoint --system USER --security USER --audit USER",
		Short: "As the bootstrap superadmin, appoint the system, security and audit administrators",
		Long: "Create the three administrators (三员) at a root tenant and bind each to its built-in role, " +
			"the one thing the bootstrap superadmin may do; once all three exist the superadmin is disabled. " +
			"Users that exist already are bound as they are. The new users' password comes from " +
			"$GDBOS_NEW_PASSWORD or standard input; each should then set their own (mutation setPassword).",
		RunE: func(cmd *cobra.Command, _ []string) error {
			var missing []string
			for _, d := range duties {
				if d.user == "" {
					missing = append(missing, "--"+d.flag)
				}
			}
			if len(missing) > 0 {
				return fmt.Errorf("name all three administrators: %s missing", strings.Join(missing, ", "))
			}
			c := newClient(cmd)
			if c.token == "" {
				return errNoToken
			}
			password, err := readPassword("GDBOS_NEW_PASSWORD", "password for the new administrators: ")
			if err != nil {
				return err
			}
			var yaml strings.Builder
			for _, d := range duties {
				err := c.do(cmd.Context(), `mutation($u:String!,$p:String!,$t:String!){createUser(input:{username:$u,password:$p,homeTenant:$t}){id}}`,
					map[string]any{"u": d.user, "p": password, "t": tenant}, nil)
				var ce *callError
				switch {
				case err == nil:
					fmt.Printf("user %s created\n", d.user)
				case errors.As(err, &ce) && ce.Code == apierr.Conflict:
					fmt.Printf("user %s exists\n", d.user)
				default:
					return err
				}
				fmt.Fprintf(&yaml, "---\napiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: %q, name: %s}\nspec: {role: %s, subjects: [{kind: User, name: %q}]}\n",
					tenant, d.role, d.role, d.user)
			}
			if err := c.do(cmd.Context(), `mutation($y:String!){applyResources(yaml:$y){op}}`, map[string]any{"y": yaml.String()}, nil); err != nil {
				return err
			}
			for _, d := range duties {
				fmt.Printf("%s is %s at %s\n", d.user, d.role, tenant)
			}
			return nil
		},
	}
	for _, d := range duties {
		cmd.Flags().StringVar(&d.user, d.flag, "", "user name of the "+d.flag+" administrator")
	}
	cmd.Flags().StringVar(&tenant, "tenant", "230000", "root tenant to appoint them at")
	return cmd
}
