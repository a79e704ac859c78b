package audit

import (
	"context"
	"fmt"

	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/ent/auditentry"
)

// Kinds of Problem.
const (
	ProblemChanged   = "changed"
	ProblemRemoved   = "removed"
	ProblemReordered = "reordered"
)

// maxProblems bounds a Report: past it the log is clearly broken and the first
// problems say where.
const maxProblems = 1000

const verifyBatch = 1000

// maxRenumber is how many removed entries Verify looks past when the entries after
// a removal were renumbered to close the gap.
const maxRenumber = 64

// Report is the result of Verify.
type Report struct {
	// OK is true when the whole chain is intact.
	OK bool
	// Checked counts the entries read.
	Checked int
	// Problems lists what is wrong, in chain order.
	Problems []Problem
}

// Problem names one entry that breaks the chain.
type Problem struct {
	// ID is the id of the changed, removed or misplaced entry.
	ID int64
	// Kind is ProblemChanged, ProblemRemoved or ProblemReordered.
	Kind string
	// Message explains the problem to an auditor.
	Message string
}

// link is what Verify keeps of each row; full rows are kept only for rows whose
// hash does not match, to test whether they merely moved.
type link struct {
	id         int64
	prev, hash string
	ok         bool
	row        *ent.AuditEntry
}

// Verify re-reads the whole log and reports every entry whose content was changed,
// that was removed, or that was moved to another position. Removing the newest
// entries is detected only by comparing with a copy of Head kept elsewhere.
func (l *Log) Verify(ctx context.Context) (Report, error) {
	links, err := l.readLinks(ctx)
	if err != nil {
		return Report{}, err
	}
	v := newVerifier(links)
	v.run()
	return Report{OK: len(v.problems) == 0, Checked: len(links), Problems: v.problems}, nil
}

func (l *Log) readLinks(ctx context.Context) ([]link, error) {
	var links []link
	var after int64
	for {
		rows, err := l.st.Client.AuditEntry.Query().Where(auditentry.IDGT(after)).
			Order(ent.Asc(auditentry.FieldID)).Limit(verifyBatch).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("audit: verify: %w", err)
		}
		for _, r := range rows {
			k := link{id: r.ID, prev: r.PrevHash, hash: r.Hash, ok: rowHash(r, r.ID) == r.Hash}
			if !k.ok {
				k.row = r
			}
			links = append(links, k)
		}
		if len(rows) < verifyBatch {
			return links, nil
		}
		after = rows[len(rows)-1].ID
	}
}

type verifier struct {
	links    []link
	byHash   map[string]int // stored hash → index in links
	trueID   map[string]int64
	problems []Problem
	shift    int64 // how far a renumbered stretch of the chain moved down
}

func newVerifier(links []link) *verifier {
	v := &verifier{links: links, byHash: make(map[string]int, len(links)), trueID: map[string]int64{GenesisHash: 0}}
	for i, k := range links {
		v.byHash[k.hash] = i
		if k.ok {
			v.trueID[k.hash] = k.id
		}
	}
	return v
}

func (v *verifier) run() {
	prevID, prevHash, prevFlagged := int64(0), GenesisHash, false
	for _, k := range v.links {
		gap := k.id > prevID+1
		if gap {
			v.report(prevID+1, ProblemRemoved, missing(prevID+1, k.id-1))
		}
		flagged := true
		switch {
		case !k.ok && v.shift > 0 && k.prev == prevHash && rowHash(k.row, k.id+v.shift) == k.hash:
			// renumbered after a removal that is already reported
		case !k.ok:
			v.classifyMismatch(k)
		case !gap && !prevFlagged && k.prev != prevHash:
			if _, known := v.byHash[k.prev]; known {
				v.report(k.id, ProblemReordered, fmt.Sprintf("entry %d does not follow entry %d: entries were reordered", k.id, prevID))
			} else {
				v.report(k.id, ProblemRemoved, fmt.Sprintf("chain broken before entry %d: the entry it follows was removed", k.id))
			}
		default:
			flagged = false
		}
		prevID, prevHash, prevFlagged = k.id, k.hash, flagged
	}
}

// classifyMismatch tells a moved entry (its hash matches the position its chain
// link gives it) and an entry renumbered after a removal (its hash matches a
// higher id and its predecessor is gone) from a changed one.
func (v *verifier) classifyMismatch(k link) {
	if t := v.chainID(k.hash, k.prev); t > 0 && t != k.id && rowHash(k.row, t) == k.hash {
		v.report(k.id, ProblemReordered, fmt.Sprintf("entry stored as %d belongs at position %d: entries were reordered", k.id, t))
		return
	}
	if _, known := v.byHash[k.prev]; !known && k.prev != GenesisHash {
		for d := int64(1); d <= maxRenumber; d++ {
			if rowHash(k.row, k.id+d) == k.hash {
				v.shift = d
				v.report(k.id, ProblemRemoved, fmt.Sprintf("%d entries before entry %d were removed and the later ones renumbered", d, k.id))
				return
			}
		}
	}
	v.report(k.id, ProblemChanged, fmt.Sprintf("entry %d was changed: its content does not match its hash", k.id))
}

// chainID is an entry's position as its prev_hash links say (0 when unknown).
func (v *verifier) chainID(hash, prev string) int64 {
	var pending []string
	seen := map[string]bool{}
	for {
		if t, ok := v.trueID[prev]; ok {
			for i := len(pending) - 1; i >= 0; i-- {
				t++
				v.trueID[pending[i]] = t
			}
			v.trueID[hash] = t + 1
			return t + 1
		}
		i, ok := v.byHash[prev]
		if !ok || seen[prev] {
			return 0
		}
		seen[prev] = true
		pending = append(pending, prev)
		prev = v.links[i].prev
	}
}

func (v *verifier) report(id int64, kind, msg string) {
	if len(v.problems) < maxProblems {
		v.problems = append(v.problems, Problem{ID: id, Kind: kind, Message: msg})
	}
}

func missing(from, to int64) string {
	if from == to {
		return fmt.Sprintf("entry %d was removed", from)
	}
	return fmt.Sprintf("entries %d to %d were removed", from, to)
}
