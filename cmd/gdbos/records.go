package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gdbos/gdbos/core/apierr"
)

// importReport mirrors entity.ImportReport.
type importReport struct {
	Rows, Imported, Failed int
	Errors                 []struct {
		Row           int
		Path, Message string
	}
	Truncated, RolledBack bool
}

func newImportCmd() *cobra.Command {
	var entityName, tenantCode, format string
	var continueOnError, quiet bool
	cmd := &cobra.Command{
		Use:   "import --entity NAME --tenant CODE FILE",
		Short: "Import records of an entity from CSV, JSON or NDJSON",
		Long: "Import records into an entity at a tenant (a \"tenant\" column may place rows below it). " +
			"Every row is checked like a created record; the report lists each failed row with its field and rule. " +
			"Nothing is imported if a row fails, unless --continue-on-error.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c := newClient(cmd)
			if c.token == "" {
				return errNoToken
			}
			if format == "" {
				format = strings.TrimPrefix(filepath.Ext(args[0]), ".")
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			total := countRows(args[0], format)
			q := url.Values{"format": {format}}
			if continueOnError {
				q.Set("continueOnError", "true")
			}
			res, err := c.stream(cmd.Context(), http.MethodPost, "/data/"+url.PathEscape(tenantCode)+"/import/"+url.PathEscape(entityName)+"?"+q.Encode(), f)
			if err != nil {
				return err
			}
			defer res.Body.Close()
			var rep *importReport
			var seconds float64
			sc := bufio.NewScanner(res.Body)
			sc.Buffer(make([]byte, 64<<10), 64<<20)
			for sc.Scan() {
				var line struct {
					Progress int
					Report   *importReport
					Seconds  float64
					Errors   []struct {
						Message    string
						Extensions struct {
							Code   apierr.Code
							Fields []apierr.FieldError
						}
					}
				}
				if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
					return fmt.Errorf("unexpected answer: %s", sc.Text())
				}
				switch {
				case len(line.Errors) > 0:
					e := line.Errors[0]
					return &callError{Code: e.Extensions.Code, Message: e.Message, Fields: e.Extensions.Fields}
				case line.Report != nil:
					rep, seconds = line.Report, line.Seconds
				case !quiet:
					progress(line.Progress, total)
				}
			}
			if err := sc.Err(); err != nil {
				return err
			}
			if rep == nil {
				return fmt.Errorf("the server ended the import without a report")
			}
			if !quiet && total > 0 {
				fmt.Fprintln(os.Stderr)
			}
			return printReport(rep, seconds)
		},
	}
	cmd.Flags().StringVarP(&entityName, "entity", "e", "", "entity name")
	cmd.Flags().StringVarP(&tenantCode, "tenant", "t", "", "tenant code")
	cmd.Flags().StringVar(&format, "format", "", "csv, json or ndjson (default: the file's extension)")
	cmd.Flags().BoolVar(&continueOnError, "continue-on-error", false, "import the valid rows and report the others")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	_ = cmd.MarkFlagRequired("entity")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}

func printReport(rep *importReport, seconds float64) error {
	if len(rep.Errors) > 0 {
		fmt.Println("ROW\tFIELD\tPROBLEM")
		for _, e := range rep.Errors {
			fmt.Printf("%d\t%s\t%s\n", e.Row, strings.TrimPrefix(e.Path, "/"), e.Message)
		}
		if rep.Truncated {
			fmt.Println("…\t\tmore rows failed than are listed")
		}
	}
	fmt.Printf("imported %d of %s in %.1fs", rep.Imported, rows(rep.Rows), seconds)
	if rep.RolledBack {
		fmt.Printf("; %s failed, so nothing was imported (fix them, or use --continue-on-error)\n", rows(rep.Failed))
	} else {
		fmt.Printf("; %s failed\n", rows(rep.Failed))
	}
	if rep.Failed > 0 {
		return &callError{Code: apierr.ValidationFailed, Message: rows(rep.Failed) + " failed"}
	}
	return nil
}

func rows(n int) string {
	if n == 1 {
		return "1 row"
	}
	return fmt.Sprintf("%d rows", n)
}

// countRows counts the data rows of a CSV or NDJSON file for the progress bar; 0 when
// unknown.
func countRows(path, format string) int {
	if format == "json" {
		return 0
	}
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n, buf := 0, make([]byte, 1<<20)
	for {
		k, err := f.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err != nil {
			break
		}
	}
	if format == "csv" || format == "" {
		n-- // the header
	}
	return max(n, 0)
}

func progress(done, total int) {
	if total <= 0 {
		fmt.Fprintf(os.Stderr, "\r%d rows", done)
		return
	}
	const width = 30
	filled := min(width, done*width/total)
	fmt.Fprintf(os.Stderr, "\r[%s%s] %3d%% %d/%d rows", strings.Repeat("#", filled), strings.Repeat(".", width-filled), min(100, done*100/total), done, total)
}

// exportRecords writes an entity's records at a tenant to w.
func exportRecords(ctx context.Context, c *client, tenantCode, entityName, format string, w io.Writer) error {
	q := url.Values{"format": {format}}
	res, err := c.stream(ctx, http.MethodGet, "/data/"+url.PathEscape(tenantCode)+"/export/"+url.PathEscape(entityName)+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, err = io.Copy(w, res.Body)
	return err
}

// stream sends a request outside GraphQL and returns the answer when its status is
// 200; otherwise the error it carries.
func (c *client) stream(ctx context.Context, method, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, body)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	hc := &http.Client{Timeout: time.Hour}
	res, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach %s: %w (is gdbos serve running?)", c.server, err)
	}
	if res.StatusCode == http.StatusOK {
		return res, nil
	}
	defer res.Body.Close()
	var g gqlResponse
	if err := json.NewDecoder(res.Body).Decode(&g); err != nil || len(g.Errors) == 0 {
		return nil, fmt.Errorf("%s %s: HTTP %d", method, path, res.StatusCode)
	}
	e := g.Errors[0]
	return nil, &callError{Code: e.Extensions.Code, Message: e.Message, Fields: e.Extensions.Fields}
}
