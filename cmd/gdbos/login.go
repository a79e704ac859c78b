package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

func newLoginCmd() *cobra.Command {
	var username, password string
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in to a server and keep the token for the next commands",
		Long:  "Sign in. The password comes from --password, $GDBOS_PASSWORD or standard input.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := newClient(cmd)
			c.token = "" // a stale saved token must not stop a new sign-in
			if password == "" {
				p, err := readPassword("GDBOS_PASSWORD", "password: ")
				if err != nil {
					return err
				}
				password = p
			}
			var out struct {
				Login struct {
					Token     string `json:"token"`
					ExpiresAt string `json:"expiresAt"`
				} `json:"login"`
			}
			err := c.do(cmd.Context(), `mutation($u:String!,$p:String!){login(username:$u,password:$p){token expiresAt}}`,
				map[string]any{"u": username, "p": password}, &out)
			if err != nil {
				return err
			}
			if err := saveCredentials(credentials{Server: c.server, Token: out.Login.Token}); err != nil {
				return fmt.Errorf("saving the token: %w", err)
			}
			fmt.Printf("signed in to %s as %s until %s\n", c.server, username, out.Login.ExpiresAt)
			return nil
		},
	}
	cmd.Flags().StringVarP(&username, "username", "u", "admin", "user name")
	cmd.Flags().StringVarP(&password, "password", "p", "", "password (prefer $GDBOS_PASSWORD or standard input)")
	return cmd
}

func newLogoutCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "End the session and forget its token",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := newClient(cmd)
			if c.token == "" {
				return errNoToken
			}
			err := c.do(cmd.Context(), `mutation{logout}`, nil, nil)
			if serr := saveCredentials(credentials{Server: c.server}); serr != nil && err == nil {
				err = serr
			}
			return err
		},
	}
}

// readPassword takes a password from the environment variable env or, when it is
// empty, from a line of standard input after printing prompt.
func readPassword(env, prompt string) (string, error) {
	if p := os.Getenv(env); p != "" {
		return p, nil
	}
	fmt.Fprint(os.Stderr, prompt)
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no password given (set $%s or type it)", env)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
