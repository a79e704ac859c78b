package resource

import (
	"context"

	"github.com/gdbos/gdbos/core/store/ent"
)

type txKey struct{}

// withTx lets reads made by an admission hook (through Get) see the writes of the
// batch being applied, so a RoleBinding may follow its Role in one apply.
func withTx(ctx context.Context, tx *ent.Tx) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// clientFor is the client Get reads through: the applying transaction's inside an
// admission hook, else the store's.
func (s *Service) clientFor(ctx context.Context) *ent.Client {
	if tx, ok := ctx.Value(txKey{}).(*ent.Tx); ok && tx != nil {
		return tx.Client()
	}
	return s.st.Client
}
