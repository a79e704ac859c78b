package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/module"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/modules/catalog"
)

// docCommand is one gdbos command of docs/catalog.md and what the page says of it.
type docCommand struct {
	args    []string
	expect  []string
	refused apierr.Code
}

// walkthrough reads the commands of the page's sh blocks, in order: every line
// starting "gdbos " except "gdbos serve", with the "# expect:" and "# refused:"
// lines that follow it.
func walkthrough(t *testing.T, page string) []docCommand {
	t.Helper()
	f, err := os.Open(page)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []docCommand
	inBlock := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "```"):
			inBlock = line == "```sh"
		case !inBlock:
		case strings.HasPrefix(line, "gdbos ") && !strings.HasPrefix(line, "gdbos serve"):
			out = append(out, docCommand{args: strings.Fields(line)[1:]})
		case strings.HasPrefix(line, "# expect: ") && len(out) > 0:
			out[len(out)-1].expect = append(out[len(out)-1].expect, strings.TrimPrefix(line, "# expect: "))
		case strings.HasPrefix(line, "# refused: ") && len(out) > 0:
			out[len(out)-1].refused = apierr.Code(strings.TrimPrefix(line, "# refused: "))
		}
	}
	if len(out) < 15 {
		t.Fatalf("only %d commands in %s", len(out), page)
	}
	return out
}

// TestCatalogWalkthrough runs docs/catalog.md's commands as a city administrator
// would, on each database, and checks what the page says they print.
func TestCatalogWalkthrough(t *testing.T) {
	root := filepath.Join("..", "..")
	cmds := walkthrough(t, filepath.Join(root, "docs", "catalog.md"))
	kerneltest.DialectOptions(t, func(t *testing.T, opts kerneltest.Options) {
		opts.Modules = []module.Module{catalog.New()}
		s := kerneltest.Start(t, opts)
		s.Appoint(t)
		c := newCLI(t, s.URL)
		t.Setenv("GDBOS_PASSWORD", kerneltest.AdminPassword)
		for _, dc := range cmds {
			args := make([]string, len(dc.args))
			for i, a := range dc.args {
				if strings.HasPrefix(a, "examples/") {
					a = filepath.Join(root, a)
				}
				args[i] = a
			}
			st := step{name: strings.Join(dc.args, " "), args: args, want: dc.expect}
			if dc.refused != "" {
				st.want = nil
				st.code = exitCode(&callError{Code: dc.refused})
				st.errWant = []string{"locked by tenant 230000"}
			}
			if len(args) > 1 && args[0] == "catalog" && args[1] == "rate" {
				emitWalkthroughCases(t, s)
			}
			runSteps(t, c, []step{st})
		}
	})
}

// emitWalkthroughCases emits the case events the approval module would: four
// online, one at a window, at the city in March 2020, and waits until they count.
func emitWalkthroughCases(t *testing.T, s *kerneltest.Server) {
	t.Helper()
	ctx := context.Background()
	body := catalog.GovernmentCreditCode("230100", 1)
	channels := []string{"online", "online", "mobile", "window", "self-service"}
	err := s.K.Store().Tx(ctx, func(tx *ent.Tx) error {
		for i, ch := range channels {
			ev := catalog.CaseSubmitted{CaseNumber: fmt.Sprintf("%s3000101001000202003%02d0001", body, i+1), Code: "000101001000",
				Department: "230100-scjg", Channel: ch, SubmittedAt: time.Date(2020, 3, i+1, 9, 0, 0, 0, time.UTC)}
			if err := s.K.Events().Emit(ctx, tx, catalog.TopicCaseSubmitted, "230100", ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.K.Events().Kick()
	admin := s.Admin(t)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.Do(t, admin, `{onlineRate(tenant:"230100"){cases}}`, nil).Body, `"cases":5`) {
		if time.Now().After(deadline) {
			t.Fatal("the case events were never counted")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
