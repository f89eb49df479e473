package cli

import (
	"github.com/kugutsu/kugutsu/internal/testutil"
)

// syncBuffer is an io.Writer safe to read while a command writes to it.
type syncBuffer = testutil.SyncBuffer
