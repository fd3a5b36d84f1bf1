package monitoring

import "github.com/firebreak/firebreak/domain/errs"

// ErrNoWindow: the incident has no watch window (it was never resolved).
var ErrNoWindow = errs.New(errs.NotFound, "no_watch_window", "The incident has no watch window yet: it starts when the incident is resolved.")
